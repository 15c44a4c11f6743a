//! The MathML printer of the formula tree (MathML Core, for HTML).

//! SVG drawings of [`super::figure::Figure`]s.

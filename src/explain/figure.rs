//! Figures of a worked solution, as data: what a built-in computed, kept
//! where a picture says it better than a table (the embedding plane of a
//! retrieval, an attention matrix, hidden states over time, a convolution's
//! windows, the graph of a gradient). Every number in a figure is the
//! engine's value; the SVG printer ([`Figure::svg`]) only places and labels
//! them, and never computes a value that it prints.

use crate::lang::value::Fmt;
use crate::Num;

/// One figure of a step.
#[derive(Clone, Debug)]
pub enum Figure {
    Plane(Plane),
    Heatmap(Heatmap),
    Series(Series),
    Window(Window),
    Graph(Graph),
}

impl Figure {
    /// The caption of the figure (also its SVG `<title>`).
    pub fn title(&self) -> &str {
        match self {
            Figure::Plane(f) => &f.title,
            Figure::Heatmap(f) => &f.title,
            Figure::Series(f) => &f.title,
            Figure::Window(f) => &f.title,
            Figure::Graph(f) => &f.title,
        }
    }
}

/// Points of a 2-d embedding, coloured by class: a nearest-centroid
/// classification (centroids and the distance from the query to each) or a
/// retrieval (the retrieved rows circled).
#[derive(Clone, Debug)]
pub struct Plane {
    pub title: String,
    /// Every row of the embedding: its 0-based row, x, y, class.
    pub points: Vec<PlanePoint>,
    /// Class centroids: class, x, y.
    pub centroids: Vec<(Num, Num, Num)>,
    /// The query: its name (`z`, `q`), x, y.
    pub query: Option<(String, Num, Num)>,
    /// Distance from the query to each centroid (same order as `centroids`).
    pub centroid_distances: Vec<Num>,
    /// The winning centroid's index in `centroids`.
    pub nearest: Option<usize>,
    /// Rows retrieved, in rank order (0-based rows), with their distance.
    pub retrieved: Vec<(usize, Num)>,
    /// The distance's name: `l1`, `l2`, `cosine`.
    pub metric: String,
}

#[derive(Clone, Debug)]
pub struct PlanePoint {
    pub row: usize,
    pub x: Num,
    pub y: Num,
    pub class: Option<Num>,
}

/// A matrix drawn as coloured cells with each value written in its cell
/// (attention weights: rows are queries, columns keys).
#[derive(Clone, Debug)]
pub struct Heatmap {
    pub title: String,
    pub row_label: String,
    pub col_label: String,
    /// values[i][j], all rows of equal length.
    pub values: Vec<Vec<Num>>,
}

/// A sequence of states over time: `states[t]` is h⁽ᵗ⁾ (t = 0 the start),
/// one line per unit, with an optional horizontal threshold line.
#[derive(Clone, Debug)]
pub struct Series {
    pub title: String,
    /// The state's name (`h`); units are named h₁, h₂, … when there are several.
    pub name: String,
    pub states: Vec<Vec<Num>>,
    /// A decision threshold on the state's value and what it decides
    /// (`s = 0 at h = 1/2`), drawn as a dashed line.
    pub threshold: Option<(Num, String)>,
}

/// A 1-d convolution's sliding windows: the input, the kernel, and for each
/// output the input positions its window covers.
#[derive(Clone, Debug)]
pub struct Window {
    pub title: String,
    pub input_name: String,
    pub output_name: String,
    /// The kernel's and the bias's names as the exercise wrote them.
    pub kernel_name: String,
    pub bias_name: String,
    pub input: Vec<Num>,
    pub kernel: Vec<Num>,
    pub bias: Option<Num>,
    pub output: Vec<Num>,
    pub stride: usize,
    pub dilation: usize,
}

/// The computation graph of a gradient: one node per named value, with its
/// value and ∂y/∂value; edges point from an input to the value computed
/// from it.
#[derive(Clone, Debug)]
pub struct Graph {
    pub title: String,
    pub nodes: Vec<GraphNode>,
    /// (from, to) indices into `nodes`.
    pub edges: Vec<(usize, usize)>,
}

#[derive(Clone, Debug)]
pub struct GraphNode {
    pub name: String,
    /// The value, formatted by the step's [`Fmt`].
    pub value: crate::Tensor<Num>,
    /// ∂y/∂(this value); `None` for a value off the gradient's path.
    pub grad: Option<crate::Tensor<Num>>,
}

/// Formats numbers for labels the way the worked text does.
pub(crate) fn label(fmt: &Fmt, n: &Num) -> String {
    fmt.compact(n)
}

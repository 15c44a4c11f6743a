//! Batched recurrent layers in f32/f64 for training at speed: RNN, LSTM and
//! GRU over `[B, T, I]` batches, a `Linear` head and BCE on logits.
//!
//! Everything else in `nn` is built from [`Tensor`](crate::Tensor) ops, so it
//! is exact and explainable, but it pays for a graph node per op. Here each
//! layer kind is one hand-written forward kernel and one fused BPTT kernel
//! over flat buffers, the way cuDNN does it: the input projection of every
//! time step is one matrix product before the recurrence, the recurrence
//! does one `[B, H]·[H, G·H]` product and one fused pointwise pass per step,
//! and the weight gradients are one product each over all `T·B` rows after
//! the backward recurrence. The buffers live in the layer, so a training
//! step in steady state allocates nothing of its own.
//!
//! Weights use PyTorch's layout and gate order (see [`recurrent`](super::recurrent)):
//! `W_ih [G·H, I]`, `W_hh [G·H, H]`, `b_ih [G·H]`, `b_hh [G·H]` with gates
//! `i, f, g, o` (LSTM) and `r, z, n` (GRU), stored in one flat buffer in
//! that order (PyTorch's `parameters()` order). Sequences shorter than `T`
//! are masked: a step past a sequence's length leaves its state unchanged,
//! so the final state is the state at its own length, as with PyTorch's
//! packed sequences. The tests check every kernel against the exact engine.

use crate::error::Error;
use crate::nn::act::Activation;
use crate::Result;

/// A float the kernels run in (f32 or f64), with its matrix product.
pub trait Real: num_traits::Float + std::fmt::Debug + Default + Send + Sync + 'static {
    fn of(v: f64) -> Self;
    fn f64(self) -> f64;
    /// σ of every element, in place.
    fn sigmoid_all(v: &mut [Self]);
    /// tanh of every element, in place.
    fn tanh_all(v: &mut [Self]);
    /// `C ← α·A·B + β·C` over strided views; see [`gemm`].
    ///
    /// # Safety
    /// Every element the strides and sizes reach must be inside the
    /// pointed-to buffers, and C's elements must not alias.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm_raw(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    );
}

macro_rules! real {
    ($t:ty, $gemm:path, $sigmoid:path, $tanh:path) => {
        impl Real for $t {
            fn of(v: f64) -> Self {
                v as $t
            }
            fn f64(self) -> f64 {
                self as f64
            }
            fn sigmoid_all(v: &mut [Self]) {
                $sigmoid(v)
            }
            fn tanh_all(v: &mut [Self]) {
                $tanh(v)
            }
            unsafe fn gemm_raw(
                m: usize,
                k: usize,
                n: usize,
                alpha: Self,
                a: *const Self,
                rsa: isize,
                csa: isize,
                b: *const Self,
                rsb: isize,
                csb: isize,
                beta: Self,
                c: *mut Self,
                rsc: isize,
                csc: isize,
            ) {
                $gemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
            }
        }
    };
}
real!(
    f32,
    matrixmultiply::sgemm,
    fast::sigmoid_f32,
    fast::tanh_f32
);
real!(f64, matrixmultiply::dgemm, std_sigmoid, std_tanh);

/// f64 is the checking precision: libm's functions, to the last bit.
fn std_sigmoid(v: &mut [f64]) {
    for x in v {
        *x = 1.0 / (1.0 + (-*x).exp());
    }
}

fn std_tanh(v: &mut [f64]) {
    for x in v {
        *x = x.tanh();
    }
}

/// f32 σ and tanh that vectorize: libm's scalar `expf`/`tanhf` were 65% of
/// an LSTM's training step. Cephes' `expf` and `tanhf` polynomials written
/// without branches (both sides computed, one selected), within a few ulp;
/// with AVX2 and FMA when the processor has them.
#[allow(clippy::excessive_precision)] // Cephes' coefficients as published
mod fast {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    /// 1.5·2²³: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;

    #[inline(always)]
    fn exp(x: f32) -> f32 {
        let x = x.clamp(-87.0, 88.0);
        let t = x * LOG2E + MAGIC;
        let n = t - MAGIC;
        let k = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
        let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
        let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2)
            * r
            + 0.166_666_65)
            * r
            + 0.5;
        let e = p * r * r + r + 1.0;
        e * f32::from_bits(((k + 127) << 23) as u32)
    }

    #[inline(always)]
    fn sigmoid(x: f32) -> f32 {
        1.0 / (1.0 + exp(-x))
    }

    #[inline(always)]
    fn tanh(x: f32) -> f32 {
        let a = x.abs();
        // |x| ≥ 0.625: 1 − 2/(e^{2|x|} + 1), with x's sign.
        let big = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
        let big = if x < 0.0 { -big } else { big };
        // Below: x + x³·P(x²).
        let z = x * x;
        let p = (((-5.704_988_7e-3 * z + 2.063_908_9e-2) * z - 5.373_971_6e-2) * z + 0.133_314_42)
            * z
            - 0.333_332_82;
        let small = p * z * x + x;
        if a < 0.625 {
            small
        } else {
            big
        }
    }

    macro_rules! each {
        ($name:ident, $avx:ident, $f:ident) => {
            pub fn $name(v: &mut [f32]) {
                #[cfg(target_arch = "x86_64")]
                if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                    // SAFETY: the processor has the features just checked.
                    unsafe { $avx(v) };
                    return;
                }
                for x in v {
                    *x = $f(*x);
                }
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn $avx(v: &mut [f32]) {
                for x in v {
                    *x = $f(*x);
                }
            }
        };
    }
    each!(sigmoid_f32, sigmoid_avx2, sigmoid);
    each!(tanh_f32, tanh_avx2, tanh);
}

/// A strided matrix view: `rows × cols` with element `(i, j)` at
/// `i·rs + j·cs` of its buffer.
#[derive(Clone, Copy, Debug)]
pub struct Mat {
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl Mat {
    /// A row-major `rows × cols` matrix.
    pub fn new(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }
    /// The transpose (a view, nothing moves).
    pub fn t(self) -> Mat {
        Mat {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }
    fn fits(&self, len: usize) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.rs + (self.cols - 1) * self.cs < len
    }
}

/// `C ← α·A·B + β·C` by `matrixmultiply` (a plain loop for the small
/// products at hidden size 8–32 was tried and was slower: see
/// docs/benchmarks.md).
pub fn gemm<T: Real>(
    alpha: T,
    (a, am): (&[T], Mat),
    (b, bm): (&[T], Mat),
    beta: T,
    (c, cm): (&mut [T], Mat),
) {
    // The kernels call this with shapes they made; a mismatch is a bug.
    assert!(
        am.cols == bm.rows && cm.rows == am.rows && cm.cols == bm.cols,
        "gemm shapes {am:?} {bm:?} {cm:?}"
    );
    assert!(am.fits(a.len()) && bm.fits(b.len()) && cm.fits(c.len()));
    let (m, k, n) = (am.rows, am.cols, bm.cols);
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the asserts above keep every index inside the slices, and a
    // `&mut` slice cannot alias the shared ones.
    unsafe {
        T::gemm_raw(
            m,
            k,
            n,
            alpha,
            a.as_ptr(),
            am.rs as isize,
            am.cs as isize,
            b.as_ptr(),
            bm.rs as isize,
            bm.cs as isize,
            beta,
            c.as_mut_ptr(),
            cm.rs as isize,
            cm.cs as isize,
        )
    }
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

/// The kind of recurrent cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// `h' = act(W_ih x + b_ih + W_hh h + b_hh)`
    Rnn(Activation),
    /// Gates `i, f, g, o`.
    Lstm,
    /// Gates `r, z, n`.
    Gru,
}

impl Cell {
    /// How many blocks of `H` rows the weights stack.
    pub fn gates(self) -> usize {
        match self {
            Cell::Rnn(_) => 1,
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Cell::Rnn(_) => "rnn",
            Cell::Lstm => "lstm",
            Cell::Gru => "gru",
        }
    }
}

fn sigmoid<T: Real>(x: T) -> T {
    T::one() / (T::one() + (-x).exp())
}

/// The activation of an RNN cell on every element, and its derivative from
/// its output.
fn act_all<T: Real>(a: Activation, v: &mut [T]) {
    match a {
        Activation::Identity => {}
        Activation::Tanh => T::tanh_all(v),
        Activation::Relu => v.iter_mut().for_each(|x| *x = x.max(T::zero())),
        Activation::Sigmoid => T::sigmoid_all(v),
    }
}

fn act_grad<T: Real>(a: Activation, y: T) -> T {
    match a {
        Activation::Identity => T::one(),
        Activation::Tanh => T::one() - y * y,
        Activation::Relu => {
            if y > T::zero() {
                T::one()
            } else {
                T::zero()
            }
        }
        Activation::Sigmoid => y * (T::one() - y),
    }
}

/// Makes `v` exactly `n` long, reusing its allocation once it is big enough.
fn fit<T: Real>(v: &mut Vec<T>, n: usize) {
    v.resize(n, T::zero());
}

/// What a forward pass keeps for its backward pass, and the backward's
/// scratch. Time-major: step `t` of a `[T, B, ·]` buffer is one block.
#[derive(Default)]
struct Work<T> {
    batch: usize,
    steps: usize,
    lengths: Vec<usize>,
    /// The input, time-major `[T, B, I]`.
    xs: Vec<T>,
    /// h⁽⁰⁾…h⁽ᵀ⁾, `[T+1, B, H]`.
    hs: Vec<T>,
    /// c⁽⁰⁾…c⁽ᵀ⁾ (LSTM), `[T+1, B, H]`.
    cs: Vec<T>,
    /// tanh(c⁽ᵗ⁾) (LSTM), `[T, B, H]`.
    tc: Vec<T>,
    /// The gates after their activations, `[T, B, G·H]` (the input
    /// projection before them).
    z: Vec<T>,
    /// GRU: `W_hh h + b_hh`, `[T, B, 3H]`.
    hp: Vec<T>,
    /// ∂L/∂ of the gates' pre-activations on the input side, `[T, B, G·H]`.
    dz: Vec<T>,
    /// GRU: the same on the hidden side (differs in the `n` block).
    dzh: Vec<T>,
    dh: Vec<T>,
    dh2: Vec<T>,
    dc: Vec<T>,
}

/// A batched recurrent layer (one layer, batch first, zero initial state)
/// returning the final hidden state. See the module comment.
pub struct Recurrent<T: Real> {
    pub cell: Cell,
    pub input: usize,
    pub hidden: usize,
    /// `W_ih, W_hh, b_ih, b_hh`, flat, in that order.
    pub params: Vec<T>,
    /// ∂L/∂params of the last [`backward`](Self::backward) (overwritten,
    /// not accumulated), in the same layout.
    pub grads: Vec<T>,
    ws: Work<T>,
}

/// The four parameter blocks of a flat buffer.
fn split<T>(v: &[T], gh: usize, i: usize, h: usize) -> (&[T], &[T], &[T], &[T]) {
    let (w_ih, rest) = v.split_at(gh * i);
    let (w_hh, rest) = rest.split_at(gh * h);
    let (b_ih, b_hh) = rest.split_at(gh);
    (w_ih, w_hh, b_ih, b_hh)
}

fn split_mut<T>(v: &mut [T], gh: usize, i: usize, h: usize) -> [&mut [T]; 4] {
    let (w_ih, rest) = v.split_at_mut(gh * i);
    let (w_hh, rest) = rest.split_at_mut(gh * h);
    let (b_ih, b_hh) = rest.split_at_mut(gh);
    [w_ih, w_hh, b_ih, b_hh]
}

impl<T: Real> Recurrent<T> {
    /// A layer with all parameters zero (see [`init_uniform`](Self::init_uniform)).
    pub fn new(cell: Cell, input: usize, hidden: usize) -> Result<Recurrent<T>> {
        if input == 0 || hidden == 0 {
            return Err(Error::invalid(
                cell.name(),
                format!("input size {input} and hidden size {hidden} must be positive"),
            ));
        }
        let n = cell.gates() * hidden * (input + hidden + 2);
        Ok(Recurrent {
            cell,
            input,
            hidden,
            params: vec![T::zero(); n],
            grads: vec![T::zero(); n],
            ws: Work::default(),
        })
    }

    /// PyTorch's initialisation: every parameter uniform in ±1/√H, from
    /// `uniform01` (uniform in [0, 1)).
    pub fn init_uniform(&mut self, mut uniform01: impl FnMut() -> f64) {
        let k = 1.0 / (self.hidden as f64).sqrt();
        for p in &mut self.params {
            *p = T::of((2.0 * uniform01() - 1.0) * k);
        }
    }

    /// `(W_ih, W_hh, b_ih, b_hh)` of `params` or `grads`.
    pub fn blocks<'a>(&self, v: &'a [T]) -> (&'a [T], &'a [T], &'a [T], &'a [T]) {
        split(v, self.cell.gates() * self.hidden, self.input, self.hidden)
    }

    /// Parameters and gradients, for an optimizer.
    pub fn parts(&mut self) -> (&mut [T], &[T]) {
        (&mut self.params, &self.grads)
    }

    /// Runs the layer over `x` (`[batch, steps, input]`, row-major) and
    /// returns the final hidden state `[batch, hidden]`. With `lengths`,
    /// sequence `b` stops at step `lengths[b]` (0 ≤ length ≤ steps).
    pub fn forward(
        &mut self,
        x: &[T],
        batch: usize,
        steps: usize,
        lengths: Option<&[usize]>,
    ) -> Result<&[T]> {
        let (cell, ni, h) = (self.cell, self.input, self.hidden);
        let op = cell.name();
        if x.len() != batch * steps * ni {
            return Err(Error::mismatch(
                format!("{op}: input [batch, steps, input]"),
                &[x.len()],
                &[batch, steps, ni],
            ));
        }
        let ws = &mut self.ws;
        ws.lengths.clear();
        match lengths {
            Some(l) if l.len() != batch => {
                return Err(Error::mismatch(
                    format!("{op}: one length per sequence"),
                    &[l.len()],
                    &[batch],
                ))
            }
            Some(l) => {
                if let Some(bad) = l.iter().find(|&&n| n > steps) {
                    return Err(Error::invalid(
                        op,
                        format!("length {bad} is longer than the {steps} steps given"),
                    ));
                }
                ws.lengths.extend_from_slice(l);
            }
            None => ws.lengths.resize(batch, steps),
        }
        let (b, nt, g) = (batch, steps, cell.gates());
        let gh = g * h;
        let (bh, bgh) = (b * h, b * gh);
        ws.batch = b;
        ws.steps = nt;
        fit(&mut ws.xs, nt * b * ni);
        fit(&mut ws.hs, (nt + 1) * bh);
        fit(&mut ws.z, nt * bgh);
        if cell == Cell::Lstm {
            fit(&mut ws.cs, (nt + 1) * bh);
            fit(&mut ws.tc, nt * bh);
        }
        if cell == Cell::Gru {
            fit(&mut ws.hp, nt * bgh);
        }
        for bb in 0..b {
            for t in 0..nt {
                let src = &x[(bb * nt + t) * ni..][..ni];
                ws.xs[(t * b + bb) * ni..][..ni].copy_from_slice(src);
            }
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the processor has AVX2 and FMA.
            unsafe { self.forward_steps_avx2() };
            return Ok(self.output());
        }
        self.forward_steps();
        Ok(self.output())
    }

    /// The body of `forward` with the same code compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn forward_steps_avx2(&mut self) {
        self.forward_steps()
    }

    #[inline(always)]
    fn forward_steps(&mut self) {
        let (cell, ni, h) = (self.cell, self.input, self.hidden);
        let ws = &mut self.ws;
        let (b, nt, g) = (ws.batch, ws.steps, cell.gates());
        let gh = g * h;
        let (bh, bgh) = (b * h, b * gh);
        let (w_ih, w_hh, b_ih, b_hh) = split(&self.params, gh, ni, h);
        // The input projection of every step at once, biases included
        // (the GRU keeps b_hh on the hidden side, inside r⊙(·)).
        for row in ws.z.chunks_exact_mut(gh) {
            for j in 0..gh {
                row[j] = if cell == Cell::Gru {
                    b_ih[j]
                } else {
                    b_ih[j] + b_hh[j]
                };
            }
        }
        gemm(
            T::one(),
            (&ws.xs, Mat::new(nt * b, ni)),
            (w_ih, Mat::new(gh, ni).t()),
            T::one(),
            (&mut ws.z, Mat::new(nt * b, gh)),
        );
        ws.hs[..bh].fill(T::zero());
        if cell == Cell::Lstm {
            ws.cs[..bh].fill(T::zero());
        }
        let w_hh_t = Mat::new(gh, h).t();
        for t in 0..nt {
            let (before, after) = ws.hs.split_at_mut((t + 1) * bh);
            let (hprev, hcur) = (&before[t * bh..], &mut after[..bh]);
            let zt = &mut ws.z[t * bgh..][..bgh];
            match cell {
                Cell::Rnn(act) => {
                    gemm(
                        T::one(),
                        (hprev, Mat::new(b, h)),
                        (w_hh, w_hh_t),
                        T::one(),
                        (zt, Mat::new(b, gh)),
                    );
                    act_all(act, zt);
                    for bb in 0..b {
                        let r = bb * h;
                        let src = if t < ws.lengths[bb] {
                            &zt[r..r + h]
                        } else {
                            &hprev[r..r + h]
                        };
                        hcur[r..r + h].copy_from_slice(src);
                    }
                }
                Cell::Lstm => {
                    gemm(
                        T::one(),
                        (hprev, Mat::new(b, h)),
                        (w_hh, w_hh_t),
                        T::one(),
                        (zt, Mat::new(b, gh)),
                    );
                    let (cb, ca) = ws.cs.split_at_mut((t + 1) * bh);
                    let (cprev, ccur) = (&cb[t * bh..], &mut ca[..bh]);
                    let tct = &mut ws.tc[t * bh..][..bh];
                    for bb in 0..b {
                        let r = bb * h;
                        if t >= ws.lengths[bb] {
                            hcur[r..r + h].copy_from_slice(&hprev[r..r + h]);
                            ccur[r..r + h].copy_from_slice(&cprev[r..r + h]);
                            continue;
                        }
                        let zr = &mut zt[bb * gh..][..gh];
                        T::sigmoid_all(&mut zr[..2 * h]);
                        T::tanh_all(&mut zr[2 * h..3 * h]);
                        T::sigmoid_all(&mut zr[3 * h..]);
                        for j in 0..h {
                            ccur[r + j] = zr[h + j] * cprev[r + j] + zr[j] * zr[2 * h + j];
                        }
                        let tcr = &mut tct[r..r + h];
                        tcr.copy_from_slice(&ccur[r..r + h]);
                        T::tanh_all(tcr);
                        for j in 0..h {
                            hcur[r + j] = zr[3 * h + j] * tcr[j];
                        }
                    }
                }
                Cell::Gru => {
                    let hpt = &mut ws.hp[t * bgh..][..bgh];
                    for row in hpt.chunks_exact_mut(gh) {
                        row.copy_from_slice(b_hh);
                    }
                    gemm(
                        T::one(),
                        (hprev, Mat::new(b, h)),
                        (w_hh, w_hh_t),
                        T::one(),
                        (hpt, Mat::new(b, gh)),
                    );
                    for bb in 0..b {
                        let r0 = bb * h;
                        if t >= ws.lengths[bb] {
                            hcur[r0..r0 + h].copy_from_slice(&hprev[r0..r0 + h]);
                            continue;
                        }
                        let zr = &mut zt[bb * gh..][..gh];
                        let hr = &hpt[bb * gh..][..gh];
                        for j in 0..2 * h {
                            zr[j] = zr[j] + hr[j];
                        }
                        T::sigmoid_all(&mut zr[..2 * h]);
                        for j in 0..h {
                            zr[2 * h + j] = zr[2 * h + j] + zr[j] * hr[2 * h + j];
                        }
                        T::tanh_all(&mut zr[2 * h..]);
                        for j in 0..h {
                            let (z, n) = (zr[h + j], zr[2 * h + j]);
                            hcur[r0 + j] = n + z * (hprev[r0 + j] - n);
                        }
                    }
                }
            }
        }
    }

    /// The final hidden state of the last forward pass, `[batch, hidden]`.
    pub fn output(&self) -> &[T] {
        let bh = self.ws.batch * self.hidden;
        &self.ws.hs[self.ws.steps * bh..][..bh]
    }

    /// Backpropagation through time from `dh` = ∂L/∂h_n (`[batch, hidden]`)
    /// of the last forward pass; writes [`grads`](Self::grads).
    pub fn backward(&mut self, dh: &[T]) -> Result<()> {
        let (cell, h) = (self.cell, self.hidden);
        let ws = &mut self.ws;
        let (b, nt, g) = (ws.batch, ws.steps, cell.gates());
        let (gh, bh) = (g * h, b * h);
        let bgh = b * gh;
        if dh.len() != bh || ws.hs.len() != (nt + 1) * bh {
            return Err(Error::mismatch(
                format!("{}: backward's ∂L/∂h_n after a forward pass", cell.name()),
                &[dh.len()],
                &[b, h],
            ));
        }
        fit(&mut ws.dz, nt * bgh);
        fit(&mut ws.dh, bh);
        fit(&mut ws.dh2, bh);
        ws.dh.copy_from_slice(dh);
        if cell == Cell::Lstm {
            fit(&mut ws.dc, bh);
            ws.dc.fill(T::zero());
        }
        if cell == Cell::Gru {
            fit(&mut ws.dzh, nt * bgh);
        }
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the processor has AVX2 and FMA.
            unsafe { self.backward_steps_avx2() };
            return Ok(());
        }
        self.backward_steps();
        Ok(())
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn backward_steps_avx2(&mut self) {
        self.backward_steps()
    }

    #[inline(always)]
    fn backward_steps(&mut self) {
        let (cell, ni, h) = (self.cell, self.input, self.hidden);
        let ws = &mut self.ws;
        let (b, nt, g) = (ws.batch, ws.steps, cell.gates());
        let gh = g * h;
        let (bh, bgh) = (b * h, b * gh);
        let (_, w_hh, _, _) = split(&self.params, gh, ni, h);
        for t in (0..nt).rev() {
            let hprev = &ws.hs[t * bh..][..bh];
            let dzt = &mut ws.dz[t * bgh..][..bgh];
            // dh2 starts as what reaches h⁽ᵗ⁻¹⁾ other than through W_hh:
            // all of ∂L/∂h⁽ᵗ⁾ for a finished sequence, z⊙∂L/∂h⁽ᵗ⁾ in a GRU.
            for bb in 0..b {
                let (r, done) = (bb * h, t >= ws.lengths[bb]);
                let dhr = &ws.dh[r..r + h];
                let dzr = &mut dzt[bb * gh..][..gh];
                if done {
                    ws.dh2[r..r + h].copy_from_slice(dhr);
                    dzr.fill(T::zero());
                    if cell == Cell::Gru {
                        ws.dzh[t * bgh + bb * gh..][..gh].fill(T::zero());
                    }
                    continue;
                }
                let zr = &ws.z[t * bgh + bb * gh..][..gh];
                match cell {
                    Cell::Rnn(act) => {
                        let hcur = &ws.hs[(t + 1) * bh + r..][..h];
                        for j in 0..h {
                            dzr[j] = dhr[j] * act_grad(act, hcur[j]);
                        }
                        ws.dh2[r..r + h].fill(T::zero());
                    }
                    Cell::Lstm => {
                        let tc = &ws.tc[t * bh + r..][..h];
                        let cprev = &ws.cs[t * bh + r..][..h];
                        let dc = &mut ws.dc[r..r + h];
                        let one = T::one();
                        for j in 0..h {
                            let (i, f, gg, o) = (zr[j], zr[h + j], zr[2 * h + j], zr[3 * h + j]);
                            let dhj = dhr[j];
                            let dcj = dc[j] + dhj * o * (one - tc[j] * tc[j]);
                            dzr[j] = dcj * gg * i * (one - i);
                            dzr[h + j] = dcj * cprev[j] * f * (one - f);
                            dzr[2 * h + j] = dcj * i * (one - gg * gg);
                            dzr[3 * h + j] = dhj * tc[j] * o * (one - o);
                            dc[j] = dcj * f;
                        }
                        ws.dh2[r..r + h].fill(T::zero());
                    }
                    Cell::Gru => {
                        let hn = &ws.hp[t * bgh + bb * gh + 2 * h..][..h];
                        let dzh = &mut ws.dzh[t * bgh + bb * gh..][..gh];
                        let one = T::one();
                        for j in 0..h {
                            let (rg, zg, n) = (zr[j], zr[h + j], zr[2 * h + j]);
                            let dhj = dhr[j];
                            let dan = dhj * (one - zg) * (one - n * n);
                            let dar = dan * hn[j] * rg * (one - rg);
                            let daz = dhj * (hprev[r + j] - n) * zg * (one - zg);
                            dzr[j] = dar;
                            dzr[h + j] = daz;
                            dzr[2 * h + j] = dan;
                            dzh[j] = dar;
                            dzh[h + j] = daz;
                            dzh[2 * h + j] = dan * rg;
                            ws.dh2[r + j] = dhj * zg;
                        }
                    }
                }
            }
            let dzt = if cell == Cell::Gru {
                &ws.dzh[t * bgh..][..bgh]
            } else {
                &ws.dz[t * bgh..][..bgh]
            };
            gemm(
                T::one(),
                (dzt, Mat::new(b, gh)),
                (w_hh, Mat::new(gh, h)),
                T::one(),
                (&mut ws.dh2, Mat::new(b, h)),
            );
            std::mem::swap(&mut ws.dh, &mut ws.dh2);
        }
        // The weight gradients, each one product over all T·B rows.
        let dzh = if cell == Cell::Gru { &ws.dzh } else { &ws.dz };
        let [g_ih, g_hh, gb_ih, gb_hh] = split_mut(&mut self.grads, gh, ni, h);
        let rows = nt * b;
        gemm(
            T::one(),
            (&ws.dz, Mat::new(rows, gh).t()),
            (&ws.xs, Mat::new(rows, ni)),
            T::zero(),
            (g_ih, Mat::new(gh, ni)),
        );
        gemm(
            T::one(),
            (dzh, Mat::new(rows, gh).t()),
            (&ws.hs, Mat::new(rows, h)),
            T::zero(),
            (g_hh, Mat::new(gh, h)),
        );
        colsum(&ws.dz, gh, gb_ih);
        colsum(dzh, gh, gb_hh);
    }
}

/// `out[j] = Σ_r m[r, j]` of a row-major matrix with `cols` columns.
fn colsum<T: Real>(m: &[T], cols: usize, out: &mut [T]) {
    out.fill(T::zero());
    for row in m.chunks_exact(cols) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o = *o + v;
        }
    }
}

/// `y = x·Wᵀ + b` on `[B, in]` rows, PyTorch's `nn.Linear` (`W [out, in]`).
pub struct Linear<T: Real> {
    pub input: usize,
    pub output: usize,
    /// `W` then `b`, flat.
    pub params: Vec<T>,
    /// ∂L/∂params of the last backward (overwritten), same layout.
    pub grads: Vec<T>,
    x: Vec<T>,
    y: Vec<T>,
    dx: Vec<T>,
}

impl<T: Real> Linear<T> {
    pub fn new(input: usize, output: usize) -> Result<Linear<T>> {
        if input == 0 || output == 0 {
            return Err(Error::invalid(
                "linear",
                format!("sizes {input} → {output} must be positive"),
            ));
        }
        let n = output * (input + 1);
        Ok(Linear {
            input,
            output,
            params: vec![T::zero(); n],
            grads: vec![T::zero(); n],
            x: Vec::new(),
            y: Vec::new(),
            dx: Vec::new(),
        })
    }

    /// PyTorch's default: `W` and `b` uniform in ±1/√in (kaiming_uniform
    /// with a = √5 comes to that bound).
    pub fn init_uniform(&mut self, mut uniform01: impl FnMut() -> f64) {
        let k = 1.0 / (self.input as f64).sqrt();
        for p in &mut self.params {
            *p = T::of((2.0 * uniform01() - 1.0) * k);
        }
    }

    pub fn parts(&mut self) -> (&mut [T], &[T]) {
        (&mut self.params, &self.grads)
    }

    /// `[B, out]` from `x` `[B, in]`.
    pub fn forward(&mut self, x: &[T]) -> Result<&[T]> {
        let (ni, no) = (self.input, self.output);
        if !x.len().is_multiple_of(ni) {
            return Err(Error::mismatch("linear: input [B, in]", &[x.len()], &[ni]));
        }
        let b = x.len() / ni;
        self.x.clear();
        self.x.extend_from_slice(x);
        let (w, bias) = self.params.split_at(no * ni);
        fit(&mut self.y, b * no);
        for row in self.y.chunks_exact_mut(no) {
            row.copy_from_slice(bias);
        }
        gemm(
            T::one(),
            (x, Mat::new(b, ni)),
            (w, Mat::new(no, ni).t()),
            T::one(),
            (&mut self.y, Mat::new(b, no)),
        );
        Ok(&self.y)
    }

    /// From ∂L/∂y (`[B, out]`): writes the gradients and returns ∂L/∂x.
    pub fn backward(&mut self, dy: &[T]) -> Result<&[T]> {
        let (ni, no) = (self.input, self.output);
        let b = self.x.len() / ni;
        if dy.len() != b * no {
            return Err(Error::mismatch(
                "linear: backward's ∂L/∂y",
                &[dy.len()],
                &[b, no],
            ));
        }
        let (gw, gb) = self.grads.split_at_mut(no * ni);
        gemm(
            T::one(),
            (dy, Mat::new(b, no).t()),
            (&self.x, Mat::new(b, ni)),
            T::zero(),
            (gw, Mat::new(no, ni)),
        );
        colsum(dy, no, gb);
        fit(&mut self.dx, b * ni);
        let w = &self.params[..no * ni];
        gemm(
            T::one(),
            (dy, Mat::new(b, no)),
            (w, Mat::new(no, ni)),
            T::zero(),
            (&mut self.dx, Mat::new(b, ni)),
        );
        Ok(&self.dx)
    }
}

/// Mean BCE on logits, PyTorch's `BCEWithLogitsLoss`:
/// mean(max(s, 0) − s·y + log(1 + e^−|s|)). Writes ∂L/∂s = (σ(s) − y)/n
/// into `ds` and returns the loss.
pub fn bce_with_logits<T: Real>(s: &[T], y: &[T], ds: &mut [T]) -> Result<T> {
    if s.len() != y.len() || s.len() != ds.len() || s.is_empty() {
        return Err(Error::mismatch(
            "bce_with_logits (logits, targets, gradient)",
            &[s.len(), y.len()],
            &[ds.len()],
        ));
    }
    let n = T::of(s.len() as f64);
    let mut total = T::zero();
    for ((&sv, &yv), d) in s.iter().zip(y).zip(ds.iter_mut()) {
        total = total + sv.max(T::zero()) - sv * yv + (-sv.abs()).exp().ln_1p();
        *d = (sigmoid(sv) - yv) / n;
    }
    Ok(total / n)
}

//! The core in the library API: exactness on the seed's task 2, numpy
//! semantics, and typed errors for bad input.

use gradwork::autograd::{backward, Op};
use gradwork::{grad, Error, Idx, Num, Tensor};

fn t(s: &str) -> Tensor<Num> {
    Tensor::parse(s).unwrap()
}

/// conv1d, valid, stride 1, written from slicing and sums:
/// f[i] = Σⱼ x[i + j]·w[j] + b.
fn conv1d(x: &Tensor<Num>, w: &Tensor<Num>, b: &Tensor<Num>) -> Tensor<Num> {
    let k = w.len() as i64;
    let outs: Vec<_> = (0..x.len() as i64 - k + 1)
        .map(|i| {
            let win = x.slice(&[Idx::range(Some(i), Some(i + k))]).unwrap();
            win.mul(w).unwrap().sum_all().unwrap().add(b).unwrap()
        })
        .collect();
    Tensor::stack(&outs, 0).unwrap()
}

#[test]
fn seed_task2_siamese_conv1d_is_exact() {
    let w = t("[1/3, 1/3, 1/3]").named("w");
    let b = t("-0.1").named("b");
    let x1 = t("[1.0, 1.0, 1.3, 1.0, 1.0, 1.3]");
    let x2 = t("[3.3, 3.3, 2.7, 3.3, 3.3, 2.7]");
    let f1 = conv1d(&x1, &w, &b);
    let f2 = conv1d(&x2, &w, &b);
    // f1 = (1/3)·[3.3, 3.3, 3.3, 3.3] − 0.1 = [1, 1, 1, 1]
    // f2 = (1/3)·[9.3, 9.3, 9.3, 9.3] − 0.1 = [3, 3, 3, 3]
    assert_eq!(f1.to_string(), "[1, 1, 1, 1]");
    assert_eq!(f2.to_string(), "[3, 3, 3, 3]");
    // L = Σ (1 − 3)² over four positions = 16
    let l = f1.sub(&f2).unwrap().powi(2).unwrap().sum_all().unwrap();
    assert_eq!(l.to_string(), "16");

    // ∂L/∂f1 = 2(f1 − f2) = −4, ∂L/∂f2 = +4 elementwise, so
    // ∂L/∂w_j = −4·Σᵢ x1[i+j] + 4·Σᵢ x2[i+j]
    //   j=0: −4·4.3 + 4·12.6 = 33.2;  j=1: −4·4.3 + 4·12.6 = 33.2;
    //   j=2: −4·4.6 + 4·12   = 29.6
    // ∂L/∂b = Σ −4 (four outputs) + Σ 4 = −16 + 16 = 0
    let g = grad(&l, &[&w, &b]).unwrap();
    assert_eq!(g[0].to_string(), "[33.2, 33.2, 29.6]");
    assert_eq!(g[1].to_string(), "0");
    assert!(g[0].value().iter().all(Num::is_exact));

    // The shared weight collects contributions from both branches, and every
    // step names its rule.
    let steps = backward(&l, &[&w, &b]).unwrap().steps;
    let into_w = steps.iter().filter(|s| s.input.id() == w.id()).count();
    assert_eq!(into_w, 8, "4 windows × 2 branches use w");
    assert!(steps
        .iter()
        .filter(|s| s.input.id() == w.id())
        .all(|s| s.rule == "∂(a·b)/∂b = a"));
}

#[test]
fn a_tensor_used_twice_accumulates() {
    // y = Σ x·x: ∂y/∂x = 2x (both uses of x contribute x)
    let x = t("[1/2, -3]");
    let y = x.mul(&x).unwrap().sum_all().unwrap();
    assert_eq!(grad(&y, &[&x]).unwrap()[0].to_string(), "[1, -6]");
}

#[test]
fn numpy_semantics() {
    let x = t("[[1, 2, 3], [4, 5, 6]]");
    assert_eq!(x.shape(), &[2, 3]);
    assert_eq!(x.t().unwrap().to_string(), "[[1, 4], [2, 5], [3, 6]]");
    assert_eq!(
        x.slice(&[Idx::all(), Idx::range(None, Some(2))])
            .unwrap()
            .to_string(),
        "[[1, 2], [4, 5]]"
    );
    assert_eq!(x.slice(&[Idx::At(-1)]).unwrap().to_string(), "[4, 5, 6]");
    assert_eq!(x.sum(Some(&[1]), true).unwrap().to_string(), "[[6], [15]]");
    assert_eq!(
        x.mean(Some(&[0]), false).unwrap().to_string(),
        "[2.5, 3.5, 4.5]"
    );
    assert_eq!(x.argmax(Some(1)).unwrap().to_string(), "[2, 2]");
    // equal maxima: the first wins, as in numpy
    assert_eq!(t("[3, 1, 3]").argmax(None).unwrap().to_string(), "0");
    // broadcasting a column against a row
    let col = t("[[10], [20]]");
    assert_eq!(
        col.add(&t("[1, 2, 3]")).unwrap().to_string(),
        "[[11, 12, 13], [21, 22, 23]]"
    );
    // @ in every numpy form
    let v = t("[1, 0, -1]");
    assert_eq!(x.matmul(&v).unwrap().to_string(), "[-2, -2]");
    assert_eq!(v.matmul(&v).unwrap().to_string(), "2");
    assert_eq!(t("[1, 1]").matmul(&x).unwrap().to_string(), "[5, 7, 9]");
    let batch = Tensor::stack(&[x.clone(), x.clone()], 0).unwrap();
    assert_eq!(batch.matmul(&x.t().unwrap()).unwrap().shape(), &[2, 2, 2]);
    // comparisons give 0/1 tensors
    assert_eq!(x.ge(&t("3")).unwrap().to_string(), "[[0, 0, 1], [1, 1, 1]]");
    assert_eq!(
        Tensor::<Num>::arange(&Num::int(0), &Num::int(1), &Num::ratio(1, 4).unwrap())
            .unwrap()
            .to_string(),
        "[0, 0.25, 0.5, 0.75]"
    );
    assert_eq!(
        Tensor::<Num>::eye(2).unwrap().to_string(),
        "[[1, 0], [0, 1]]"
    );
    assert_eq!(t("[3, 4]").norm().unwrap().to_string(), "5");
    assert_eq!(
        Tensor::concat(&[x.clone(), x.clone()], 1).unwrap().shape(),
        &[2, 6]
    );
    assert_eq!(x.reshape(&[3, -1]).unwrap().shape(), &[3, 2]);
    assert!(matches!(x.op(), Op::Leaf));
}

#[test]
fn conventions_at_kinks_follow_pytorch() {
    // relu'(0) = 0, |x|'(0) = 0, max picks the first maximum
    let x = t("[0, 2, 2]");
    let y = x
        .relu()
        .unwrap()
        .add(&x.abs().unwrap())
        .unwrap()
        .sum_all()
        .unwrap();
    assert_eq!(grad(&y, &[&x]).unwrap()[0].to_string(), "[0, 2, 2]");
    let m = x.max(None, false).unwrap();
    assert_eq!(grad(&m, &[&x]).unwrap()[0].to_string(), "[0, 1, 0]");
    // elementwise maximum at a tie splits the gradient, as torch.maximum
    let a = t("1");
    let b = t("1");
    let y = a.maximum(&b).unwrap();
    let g = grad(&y, &[&a, &b]).unwrap();
    assert_eq!(
        (g[0].to_string(), g[1].to_string()),
        ("0.5".into(), "0.5".into())
    );
}

#[test]
fn errors_are_typed_and_clear() {
    let x = t("[[1, 2, 3], [4, 5, 6]]");
    let e = x.add(&t("[1, 2]")).unwrap_err();
    assert_eq!(e.to_string(), "shape mismatch in +: [2, 3] and [2]");
    let e = x.matmul(&x).unwrap_err();
    assert_eq!(e.to_string(), "shape mismatch in @: [2, 3] and [2, 3]");
    assert_eq!(x.div(&t("0")).unwrap_err(), Error::DivisionByZero);
    assert!(matches!(
        Tensor::<Num>::parse("[1, 2x]"),
        Err(Error::BadLiteral { .. })
    ));
    assert!(matches!(
        Tensor::<Num>::parse("[[1], [2, 3]]"),
        Err(Error::BadLiteral { .. })
    ));
    assert!(matches!(
        x.slice(&[Idx::At(2)]),
        Err(Error::IndexOutOfRange {
            axis: 0,
            index: 2,
            len: 2
        })
    ));
    assert!(matches!(
        x.sum(Some(&[2]), false),
        Err(Error::AxisOutOfRange { .. })
    ));
    assert_eq!(
        x.reshape(&[4, -1]).unwrap_err().to_string(),
        "reshape: cannot reshape [2, 3] into [4, -1]"
    );
    let e = grad(&x, &[&x]).unwrap_err();
    assert!(e.to_string().contains("must be a single number"), "{e}");
    assert!(matches!(t("-1").log(), Err(Error::Domain { .. })));
    // f64 division by zero is the same error as the exact path's
    let z = Tensor::<f64>::zeros(&[2]).unwrap();
    assert_eq!(
        Tensor::<f64>::ones(&[2]).unwrap().div(&z).unwrap_err(),
        Error::DivisionByZero
    );
}

#[test]
fn float_matmul_matches_exact() {
    // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
    let a = Tensor::<f32>::parse("[[1, 2], [3, 4]]").unwrap();
    let b = Tensor::<f32>::parse("[[5, 6], [7, 8]]").unwrap();
    assert_eq!(a.matmul(&b).unwrap().to_string(), "[[19, 22], [43, 50]]");
}

#[test]
fn infinity_has_ieee_limits_and_refuses_nan() {
    // exp(−inf) = 0 exactly (a causal mask), σ(±inf) = 1, 0; tanh(−inf) = −1.
    let (pinf, ninf) = (Num::inf(false), Num::inf(true));
    assert!(ninf.exp().unwrap().is_zero());
    assert!(ninf.exp().unwrap().is_exact());
    assert_eq!(pinf.sigmoid().unwrap().to_i64(), Some(1));
    assert_eq!(ninf.tanh().unwrap().to_i64(), Some(-1));
    // 3 + (−inf) = −inf; −inf < −10¹⁰⁰; 2/inf = 0; (−inf)·(−2) = inf.
    let three = Num::int(3);
    assert_eq!(three.add(&ninf).unwrap().infinity(), Some(true));
    assert!(ninf.lt(&Num::parse("-1e100").unwrap()).unwrap());
    assert!(Num::int(2).div(&pinf).unwrap().is_zero());
    assert_eq!(ninf.mul(&Num::int(-2)).unwrap().infinity(), Some(false));
    assert_eq!(ninf.display(4), "-inf");
    // inf − inf, 0·inf and inf/inf have no value (numpy: nan): errors.
    assert!(pinf.sub(&pinf).is_err());
    assert!(pinf.add(&ninf).is_err());
    assert!(Num::zero().mul(&pinf).is_err());
    assert!(pinf.div(&ninf).is_err());
    assert!(ninf.log().is_err());
}

#[test]
fn multiples_of_one_irrational_compare_exactly() {
    // a/√2 against b/√2 is a against b; 3/√2 − 3/√2 is exactly 0;
    // √10 equals √10 (the same exact argument); −√2 < −1/√2·1.
    let r2 = Num::int(2).sqrt().unwrap();
    let x = Num::int(3).div(&r2).unwrap();
    let y = Num::int(3).div(&r2).unwrap();
    assert!(!x.is_exact());
    assert!(x.eq_num(&y).unwrap());
    assert!(x.sub(&y).unwrap().is_zero());
    assert!(x.sub(&y).unwrap().is_exact());
    let z = Num::int(5).div(&r2).unwrap();
    assert!(x.lt(&z).unwrap());
    let r10 = Num::int(10).sqrt().unwrap();
    assert!(r10.eq_num(&Num::int(10).sqrt().unwrap()).unwrap());
    assert!(r2.neg().lt(&Num::one().div(&r2).unwrap().neg()).unwrap());
    // Different irrationals that happen to be close stay undecided.
    let e = Num::one().exp().unwrap();
    assert!(e
        .compare(&Num::parse("2.718281828459045").unwrap())
        .is_err());
}

#[test]
fn sine_and_cosine_are_guaranteed_intervals() {
    // sin 0 = 0 and cos 0 = 1 exactly; cos π = −1 and sin π = 0 lie in the
    // intervals computed from π's own interval; sin(π/2) reaches 1.
    assert!(Num::zero().sin().unwrap().is_zero());
    assert_eq!(Num::zero().cos().unwrap().to_i64(), Some(1));
    let pi = Num::pi();
    let (lo, hi) = pi.cos().unwrap().interval().unwrap();
    assert!(lo <= -1.0 && -1.0 <= hi && hi - lo < 1e-12, "{lo} {hi}");
    let (lo, hi) = pi.sin().unwrap().interval().unwrap();
    assert!(lo <= 0.0 && 0.0 <= hi && hi - lo < 1e-12, "{lo} {hi}");
    let half = pi.div(&Num::int(2)).unwrap();
    let (lo, hi) = half.sin().unwrap().interval().unwrap();
    assert!(hi == 1.0 && lo > 1.0 - 1e-12, "{lo} {hi}");
    // sin 1 ≈ 0.8414709848 (libm), enclosed.
    let (lo, hi) = Num::one().sin().unwrap().interval().unwrap();
    assert!(lo <= 0.841_470_984_807_896_5 && 0.841_470_984_807_896_5 <= hi);
    // d/dx sin at 0 is cos 0 = 1.
    let x = Tensor::scalar(Num::zero());
    let g = grad(&x.sin().unwrap(), &[&x]).unwrap();
    assert_eq!(g[0].item().unwrap().to_i64(), Some(1));
}

#[test]
fn functions_of_exact_numbers_beyond_floats_are_bounded() {
    // ln(10⁴⁰⁰) = 400·ln 10 = 921.0340371976183…; ln(10⁻⁴⁰⁰) its negative;
    // σ(10⁴⁰⁰) is within 2⁻⁵³ of 1; e^(−10⁴⁰⁰) and σ(−10⁴⁰⁰) are in (0, 5e-324].
    let big = Num::parse("1e400").unwrap();
    let tiny = Num::parse("1e-400").unwrap();
    let want = 400.0 * std::f64::consts::LN_10;
    let (lo, hi) = big.log().unwrap().interval().unwrap();
    assert!(lo <= want && want <= hi && hi - lo < 1e-9, "{lo} {hi}");
    let (lo, hi) = tiny.log().unwrap().interval().unwrap();
    assert!(lo <= -want && -want <= hi && hi - lo < 1e-9, "{lo} {hi}");
    let (lo, hi) = big.sigmoid().unwrap().interval().unwrap();
    assert!(hi == 1.0 && lo == 1.0f64.next_down());
    let (lo, hi) = big.neg().exp().unwrap().interval().unwrap();
    assert!(lo == 0.0 && hi > 0.0 && hi < 1e-300);
    assert!(big.exp().is_err());
    assert!(big.neg().log().is_err());
}

/// The library is as safe as the CLI (issue 9): its public constructors and
/// parsers return errors for sizes no machine holds, and for input nested
/// deeper than any tensor, instead of aborting or overflowing the stack.
#[test]
fn library_constructors_refuse_what_cannot_be_built() {
    assert!(Tensor::<f64>::zeros(&[1 << 40]).is_err());
    assert!(Tensor::<f64>::full(&[0, 1 << 62], 1.0).is_err());
    assert!(Tensor::<Num>::ones(&[1 << 20, 1 << 20]).is_err());
    assert!(Tensor::<Num>::eye(1 << 32).is_err());
    // The same sizes within the limits are built.
    assert_eq!(Tensor::<Num>::eye(3).unwrap().shape(), &[3, 3]);
    assert_eq!(Tensor::<f64>::zeros(&[0, 5]).unwrap().shape(), &[0, 5]);
    // 50,000 nested brackets: an error, not a stack overflow.
    let deep = format!("{}1{}", "[".repeat(50_000), "]".repeat(50_000));
    assert!(Tensor::<Num>::parse(&deep).is_err());
    let ragged = "[[1, 2], [3]]";
    assert!(Tensor::<Num>::parse(ragged).is_err());
}

//! Train a batched RNN/LSTM/GRU to classify sequences of 2-bit numbers, the
//! workload of `../shared/bench/train_rnn.py`, in f32 on one thread.
//!
//! Class 1 iff more numbers are odd than even (odd: the low bit is 1); input
//! x_t = [hi, lo]; model: the recurrent layer, `Linear(H, 1)` on its final
//! hidden state, BCE on the logit, Adam(lr 1e-2). `--seq packed`: lengths
//! uniform in 1..len, zero-padded, masked; `--seq fixed`: all of length len.
//!
//! `--mode speed`: 20 warm-up steps, then `--repeats` blocks of `--steps`
//! steps over pre-built batches; last line `steps_per_s=<median>`.
//! `--mode accuracy`: `--epochs` epochs over `--n-train` sequences shuffled
//! each epoch, accuracy on `--n-test` fresh ones after each; last line
//! `test_acc=<final>`.
//!
//!     cargo run --release --example train_oddeven -- --model rnn|lstm|gru --hidden 8 \
//!         --batch 64 --len 20 --steps 200 --repeats 5 --threads 1 \
//!         [--seq fixed|packed] [--mode speed|accuracy] [--epochs 20] [--seed 0] [--act tanh]
//!
//! The same data rule, sizes and initialisation scheme as the script
//! (uniform ±1/√H for the recurrent layer, PyTorch's Linear default for the
//! head), from a seeded splitmix64 rather than torch's generator, so the
//! numbers drawn differ. Speed mode also counts heap allocations per step.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use gradwork::nn::act::Activation;
use gradwork::nn::batched::Cell;
use gradwork::nn::fit::SplitMix;
use gradwork::nn::train::SeqClassifier;

/// The system allocator, counting allocations.
struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.realloc(p, l, n)
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

/// `n` sequences: x `[n, len, 2]`, lengths, labels.
struct Data {
    x: Vec<f32>,
    lengths: Vec<usize>,
    y: Vec<f32>,
}

fn make_data(n: usize, len: usize, packed: bool, rng: &mut SplitMix) -> Data {
    let mut d = Data {
        x: vec![0.0; n * len * 2],
        lengths: Vec::with_capacity(n),
        y: Vec::with_capacity(n),
    };
    for s in 0..n {
        let l = if packed { 1 + rng.below(len) } else { len };
        let mut odd = 0;
        for t in 0..l {
            let sym = rng.below(4);
            d.x[(s * len + t) * 2] = (sym >> 1) as f32;
            d.x[(s * len + t) * 2 + 1] = (sym & 1) as f32;
            odd += sym & 1;
        }
        d.lengths.push(l);
        d.y.push(if 2 * odd > l { 1.0 } else { 0.0 });
    }
    d
}

struct Args {
    model: String,
    act: String,
    hidden: usize,
    batch: usize,
    len: usize,
    steps: usize,
    repeats: usize,
    warmup: usize,
    threads: usize,
    seq: String,
    mode: String,
    epochs: usize,
    seed: u64,
    n_train: usize,
    n_test: usize,
    lr: f64,
}

fn args() -> Result<Args, String> {
    let v: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: &str| -> String {
        v.iter()
            .position(|a| a == name)
            .and_then(|i| v.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let num = |name: &str, default: &str| -> Result<usize, String> {
        get(name, default)
            .parse()
            .map_err(|e| format!("{name}: {e}"))
    };
    Ok(Args {
        model: get("--model", "rnn"),
        act: get("--act", "tanh"),
        hidden: num("--hidden", "8")?,
        batch: num("--batch", "64")?,
        len: num("--len", "20")?,
        steps: num("--steps", "200")?,
        repeats: num("--repeats", "5")?,
        warmup: num("--warmup", "20")?,
        threads: num("--threads", "1")?,
        seq: get("--seq", "packed"),
        mode: get("--mode", "speed"),
        epochs: num("--epochs", "20")?,
        seed: num("--seed", "0")? as u64,
        n_train: num("--n-train", "4096")?,
        n_test: num("--n-test", "4096")?,
        lr: get("--lr", "0.01")
            .parse()
            .map_err(|e| format!("--lr: {e}"))?,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args()?;
    let cell = match a.model.as_str() {
        "rnn" => Cell::Rnn(Activation::from_name(&a.act).ok_or("--act: tanh|relu|identity")?),
        "lstm" => Cell::Lstm,
        "gru" => Cell::Gru,
        m => return Err(format!("--model {m}: rnn|lstm|gru").into()),
    };
    if a.threads != 1 {
        eprintln!(
            "note: the kernels run on one thread; --threads {} ignored",
            a.threads
        );
    }
    let packed = a.seq == "packed";
    let (len, bs) = (a.len, a.batch);
    let mut rng = SplitMix(1000 + a.seed);
    let train = make_data(a.n_train, len, packed, &mut rng);
    let mut init = SplitMix(a.seed);
    let mut model = SeqClassifier::<f32>::new(cell, 2, a.hidden, a.lr, || init.uniform())?;
    let nparams = model.rnn.params.len() + model.head.params.len();
    let row = len * 2;
    fn lengths(d: &Data, packed: bool, i: usize, n: usize) -> Option<&[usize]> {
        packed.then(|| &d.lengths[i..i + n])
    }

    if a.mode == "speed" {
        let nb = a.n_train / bs;
        let mut k = 0;
        let mut step = |k: usize| -> gradwork::Result<f32> {
            let i = (k % nb) * bs;
            model.step(
                &train.x[i * row..(i + bs) * row],
                bs,
                len,
                lengths(&train, packed, i, bs),
                &train.y[i..i + bs],
            )
        };
        for _ in 0..a.warmup {
            step(k)?;
            k += 1;
        }
        let allocs0 = ALLOCS.load(Ordering::Relaxed);
        let mut rates = Vec::new();
        for _ in 0..a.repeats {
            let t0 = Instant::now();
            for _ in 0..a.steps {
                step(k)?;
                k += 1;
            }
            rates.push(a.steps as f64 / t0.elapsed().as_secs_f64());
        }
        let allocs =
            (ALLOCS.load(Ordering::Relaxed) - allocs0) as f64 / (a.steps * a.repeats) as f64;
        rates.sort_by(f64::total_cmp);
        let med = rates[rates.len() / 2];
        println!(
            "model={} hidden={} params={nparams} seq={} threads=1 batch={bs} steps={}x{} \
             min={:.1} max={:.1} ms_per_step={:.3} allocs_per_step={allocs:.1}",
            a.model,
            a.hidden,
            a.seq,
            a.steps,
            a.repeats,
            rates[0],
            rates[rates.len() - 1],
            1e3 / med
        );
        println!("steps_per_s={med:.1}");
        return Ok(());
    }

    let test = make_data(a.n_test, len, packed, &mut SplitMix(999_999));
    let t0 = Instant::now();
    let mut perm: Vec<usize> = (0..a.n_train).collect();
    let (mut xb, mut lb, mut yb) = (vec![0f32; bs * row], vec![0usize; bs], vec![0f32; bs]);
    let mut accs = Vec::new();
    let mut acc = 0.0;
    for ep in 1..=a.epochs {
        for i in (1..perm.len()).rev() {
            perm.swap(i, rng.below(i + 1));
        }
        let mut loss = 0.0;
        for chunk in perm.chunks(bs) {
            let n = chunk.len();
            for (j, &s) in chunk.iter().enumerate() {
                xb[j * row..(j + 1) * row].copy_from_slice(&train.x[s * row..(s + 1) * row]);
                lb[j] = train.lengths[s];
                yb[j] = train.y[s];
            }
            let lens = packed.then(|| &lb[..n]);
            loss = model.step(&xb[..n * row], n, len, lens, &yb[..n])?;
        }
        let mut right = 0;
        for i in (0..a.n_test).step_by(512) {
            let n = 512.min(a.n_test - i);
            let s = model.logits(
                &test.x[i * row..(i + n) * row],
                n,
                len,
                lengths(&test, packed, i, n),
            )?;
            right += s
                .iter()
                .zip(&test.y[i..i + n])
                .filter(|(s, y)| (**s > 0.0) == (**y > 0.5))
                .count();
        }
        acc = right as f64 / a.n_test as f64;
        accs.push(acc);
        println!(
            "epoch={ep} loss={loss:.4} test_acc={acc:.4} elapsed_s={:.2}",
            t0.elapsed().as_secs_f64()
        );
    }
    let first = |th: f64| {
        accs.iter()
            .position(|&v| v >= th)
            .map_or("None".to_string(), |i| (i + 1).to_string())
    };
    let best = accs.iter().cloned().fold(0.0, f64::max);
    println!(
        "model={} hidden={} params={nparams} seq={} seed={} epochs={} best_acc={best:.4} \
         first_epoch_ge_0.95={} first_epoch_ge_0.99={} train_s={:.2}",
        a.model,
        a.hidden,
        a.seq,
        a.seed,
        a.epochs,
        first(0.95),
        first(0.99),
        t0.elapsed().as_secs_f64()
    );
    println!("test_acc={acc:.4}");
    Ok(())
}

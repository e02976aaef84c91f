//! Analysis speed. Targets: the seed's 35 cells under 5 ms; 100,000 report cells under
//! 10 s on one core. The second is extrapolated from the per-cell time over the seed's
//! cells (35 real cells, 20–900 characters, mean about 300) and checked against a long
//! cell (a 4,000-character multi-unit report, the worst realistic shape below the
//! 5,000-character cut-off): 100,000 × (seed time / 35).
//!
//! Each benchmark runs twice: `wall/…` with criterion's wall clock, and `cpu/…` with the
//! benchmark thread's own CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through the
//! `cpu-time` crate), which stays honest on a machine shared with other builds (wall time
//! then includes time spent waiting for a core).

#[path = "../tests/domain/analysis_support.rs"]
mod analysis_support;

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duban_domain::analysis::{AnalysisContext, analyse_notice, analyse_task, compare_reports};
use duban_domain::{RichText, Task, TaskNumber};

fn long_task(progress: &str) -> Task {
    Task {
        number: TaskNumber(1),
        content: RichText::plain("12月底前完成"),
        lead_units: Vec::new(),
        lead_units_text: String::new(),
        cooperating_units: Vec::new(),
        cooperating_units_text: String::new(),
        leader: None,
        deadline: None,
        notes: None,
        subitems: Vec::new(),
        progress: Some(RichText::plain(progress)),
        extra: Vec::new(),
    }
}

/// CPU time of the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    u64::try_from(cpu_time::ThreadTime::now().as_duration().as_nanos()).unwrap_or(u64::MAX)
}

struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, started: u64) -> u64 {
        thread_cpu_ns().saturating_sub(started)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanos
    }
}

struct Nanos;

impl ValueFormatter for Nanos {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else if typical < 1e9 {
            (1e-6, "ms")
        } else {
            (1e-9, "s")
        };
        for v in values.iter_mut() {
            *v *= factor;
        }
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        for v in values.iter_mut() {
            *v = 1e9 / *v;
        }
        "iter/s"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn bench_cpu(c: &mut Criterion<ThreadCpu>) {
    run(c, "cpu");
}

fn bench(c: &mut Criterion) {
    run(c, "wall");
}

fn run<M: Measurement + 'static>(c: &mut Criterion<M>, clock: &str) {
    let notice = analysis_support::seed();
    c.bench_function(&format!("{clock}/analyse seed notice (35 cells)"), |b| {
        b.iter(|| analyse_notice(black_box(&notice), None))
    });

    let context = AnalysisContext::for_notice(&notice, None);
    c.bench_function(
        &format!("{clock}/analyse one seed cell (mean over the 35)"),
        |b| {
            let mut i = 0;
            b.iter(|| {
                let task = &notice.tasks[i % notice.tasks.len()];
                i += 1;
                analyse_task(black_box(task), &context)
            })
        },
    );

    let mut long = String::new();
    for t in &notice.tasks {
        if let Some(p) = &t.progress {
            long.push_str(&p.plain_text());
        }
        if long.chars().count() > 4000 {
            break;
        }
    }
    let long: String = long.chars().take(4000).collect();
    let task = long_task(&long);
    c.bench_function(&format!("{clock}/analyse a 4,000-character cell"), |b| {
        b.iter(|| analyse_task(black_box(&task), &context))
    });

    let a = notice.tasks[19]
        .progress
        .as_ref()
        .map(RichText::plain_text)
        .unwrap_or_default();
    let b_text = a.replace("正在", "已经").replace('7', "9");
    c.bench_function(
        &format!("{clock}/compare two rounds of a 700-character cell"),
        |b| b.iter(|| compare_reports(black_box(&a), black_box(&b_text))),
    );
}

criterion_group!(wall, bench);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench_cpu
}
criterion_main!(wall, cpu);

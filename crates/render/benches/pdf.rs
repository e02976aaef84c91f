//! In-process PDF render time of the seed notice (35 tasks, ~30 pages), fonts loaded
//! once. typst's memo cache is dropped after every render, so each iteration is a
//! full typeset, as in a fresh process.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use duban_render::pdf::{Fonts, render_pdf};

fn seed() -> duban_domain::Notice {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/seed/000_5b3cae3e93885f9f.txt"
    ))
    .expect("seed file");
    duban_formats::import(&bytes, None, &Default::default()).expect("seed imports")
}

fn pdf(c: &mut Criterion) {
    let notice = seed();
    let fonts = Fonts::default();
    let mut group = c.benchmark_group("pdf");
    group.sample_size(10);
    group.bench_function("seed", |b| {
        b.iter(|| render_pdf(black_box(&notice), &fonts).expect("pdf"))
    });
    // Parsing the bundled fonts (what the first render of a process pays once).
    let empty = std::env::temp_dir();
    let empty = empty.join("duban-bench-no-fonts");
    std::fs::create_dir_all(&empty).expect("temp folder");
    group.bench_function("load_fonts", |b| {
        b.iter(|| Fonts::load_dir(black_box(&empty)).expect("fonts"))
    });
    group.finish();
}

criterion_group!(benches, pdf);
criterion_main!(benches);

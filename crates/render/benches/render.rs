//! In-process render time of the seed notice (35 tasks) per format.
//! Targets: DOCX < 5 ms, XLSX < 10 ms, HTML < 2 ms.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use duban_domain::Notice;
use duban_render::docx::render_docx;
use duban_render::html::render_html;
use duban_render::xlsx::render_xlsx;

fn seed() -> Notice {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/seed/000_5b3cae3e93885f9f.txt"
    ))
    .expect("seed file");
    duban_formats::import(&bytes, None, &Default::default()).expect("seed imports")
}

fn render(c: &mut Criterion) {
    let notice = seed();
    c.bench_function("docx_seed", |b| {
        b.iter(|| render_docx(black_box(&notice)).expect("docx"))
    });
    c.bench_function("xlsx_seed", |b| {
        b.iter(|| render_xlsx(black_box(&notice)).expect("xlsx"))
    });
    c.bench_function("html_seed", |b| {
        b.iter(|| render_html(black_box(&notice)).expect("html"))
    });
}

criterion_group!(benches, render);
criterion_main!(benches);

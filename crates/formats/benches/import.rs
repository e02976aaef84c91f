//! Import speed: the seed notice parsed in-process (target: under 2 ms), and its
//! markdown export read back.

use criterion::{Criterion, criterion_group, criterion_main};
use duban_domain::UnitDirectory;
use duban_formats::{Format, import, to_markdown};

const SEED: &[u8] = include_bytes!("../../../data/seed/000_5b3cae3e93885f9f.txt");

fn bench_import(c: &mut Criterion) {
    let directory = UnitDirectory::default();
    c.bench_function("import seed (detect + parse + assemble)", |b| {
        b.iter(|| import(std::hint::black_box(SEED), None, &directory).expect("seed imports"))
    });
    let notice = import(SEED, None, &directory).expect("seed imports");
    let markdown = to_markdown(&notice);
    c.bench_function("import seed markdown export", |b| {
        b.iter(|| {
            import(
                std::hint::black_box(markdown.as_bytes()),
                Some(Format::Markdown),
                &directory,
            )
            .expect("md imports")
        })
    });
    c.bench_function("write seed as markdown", |b| {
        b.iter(|| to_markdown(std::hint::black_box(&notice)))
    });
}

criterion_group!(benches, bench_import);
criterion_main!(benches);

//! The fuzz targets as a plain `cargo test` on stable Rust: each target is fed its
//! seeds (`seeds/`) and then inputs made from them by a small deterministic mutator,
//! for `FUZZ_SMOKE_SECONDS` per target (default 5) or `FUZZ_SMOKE_RUNS` inputs.
//! DOCX and XLSX seeds are mutated inside their XML parts and packed again, so the
//! readers get past the ZIP layer. A panic fails the test and names the input, which
//! is written to `target/fuzz-smoke-crash-<target>` to replay.
//!
//! `FUZZ_SMOKE_ONLY=<target>` runs one target; the figures (inputs per target) are
//! printed with `--nocapture`.

use std::io::{Cursor, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use duban_fuzz::TARGETS;

/// xorshift64*: the same inputs on every run for a given seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments that matter to the readers: table syntax, markup, 文号 brackets, numbers.
const TOKENS: &[&str] = &[
    "\t",
    "\n",
    "\r\n",
    "|",
    "| --- |",
    "<table>",
    "</table>",
    "<tr>",
    "<td>",
    "</td>",
    "<p>",
    "<b>",
    "</b>",
    "<br>",
    "**",
    "\\",
    "&amp;",
    "&#x",
    "&#",
    ";",
    "〔",
    "〕",
    "[",
    "]",
    "（",
    "）",
    "号",
    "2020",
    "0",
    "-1",
    "99999999999",
    "序号",
    "具体目标任务",
    "牵头责任单位",
    "落实情况",
    "①",
    "②",
    "、",
    "，",
    "：",
    "\"",
    "{",
    "}",
    "null",
    "[]",
    "\u{feff}",
    "\u{0}",
    "<w:t>",
    "</w:t>",
    "<w:tc>",
    "<c r=\"A1\" t=\"s\"><v>0</v></c>",
    "<si><t>",
    "</t></si>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "&lt;",
    "\u{10ffff}",
    "区发改局",
    "〔2020〕48号",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, pool: &[Vec<u8>]) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                input.drain(start..end);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256)).min(len);
                let chunk = input[start..end].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            4 if !pool.is_empty() => {
                let other = &pool[rng.below(pool.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(512)).min(other.len());
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[start..end].iter().copied());
                }
            }
            5 if len > 0 => {
                let end = rng.below(len + 1);
                input.truncate(end);
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
        }
    }
}

/// A DOCX/XLSX with one XML part mutated and the package written again.
fn mutate_package(rng: &mut Rng, package: &[u8], pool: &[Vec<u8>]) -> Vec<u8> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(package)) else {
        return package.to_vec();
    };
    let xml_parts: Vec<usize> = (0..zip.len())
        .filter(|&i| {
            zip.by_index(i)
                .map(|f| f.name().ends_with(".xml"))
                .unwrap_or(false)
        })
        .collect();
    let target = xml_parts.get(rng.below(xml_parts.len())).copied();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zip.len() {
        let Ok(mut file) = zip.by_index(i) else {
            continue;
        };
        let name = file.name().to_string();
        let mut data = Vec::new();
        if file.read_to_end(&mut data).is_err() {
            continue;
        }
        if Some(i) == target {
            mutate(rng, &mut data, pool);
        }
        if out.start_file(name, options).is_ok() {
            let _ = out.write_all(&data);
        }
    }
    out.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn seeds(dir: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("seed"))
        .collect()
}

/// The seed folders a target starts from.
fn seed_dirs(target: &str) -> &'static [&'static str] {
    match target {
        "import_docx" => &["docx"],
        "import_xlsx" => &["xlsx"],
        "import_json" => &["json"],
        "import_html" => &["html", "text"],
        "import_detect" => &["text", "html", "json", "docx", "xlsx"],
        "inline" => &["inline", "html"],
        "doc_number" => &["doc_number"],
        _ => &["text"],
    }
}

fn budget() -> (Duration, Option<u64>) {
    let seconds = std::env::var("FUZZ_SMOKE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let runs = std::env::var("FUZZ_SMOKE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok());
    (Duration::from_secs(seconds), runs)
}

#[test]
fn no_target_panics_on_its_seeds_or_their_mutations() {
    let only = std::env::var("FUZZ_SMOKE_ONLY").ok();
    let (time, runs) = budget();
    let mut ran = 0;
    for (name, target) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        ran += 1;
        let pool: Vec<Vec<u8>> = seed_dirs(name).iter().flat_map(|d| seeds(d)).collect();
        assert!(!pool.is_empty(), "{name} has no seeds");
        let packaged = matches!(*name, "import_docx" | "import_xlsx");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
        let started = Instant::now();
        let mut executed: u64 = 0;
        let mut queue: Vec<Vec<u8>> = pool.clone();
        loop {
            let input = if (executed as usize) < pool.len() {
                pool[executed as usize].clone()
            } else {
                let base = &queue[rng.below(queue.len())];
                let mut input = if packaged && base.starts_with(b"PK") && rng.below(4) != 0 {
                    mutate_package(&mut rng, base, &pool)
                } else {
                    let mut bytes = base.clone();
                    mutate(&mut rng, &mut bytes, &pool);
                    bytes
                };
                input.truncate(1 << 20);
                input
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
            executed += 1;
            if outcome.is_err() {
                let crash = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("target")
                    .join(format!("fuzz-smoke-crash-{name}"));
                let _ = std::fs::create_dir_all(crash.parent().expect("parent"));
                let _ = std::fs::write(&crash, &input);
                panic!(
                    "{name} panicked on input #{executed} ({} bytes), saved to {}",
                    input.len(),
                    crash.display()
                );
            }
            // Keep some mutants as bases, so mutations compound.
            if queue.len() < 256 && rng.below(16) == 0 {
                queue.push(input);
            }
            let done = match runs {
                Some(n) => executed >= n,
                None => started.elapsed() >= time,
            };
            if done && executed as usize >= pool.len() {
                break;
            }
        }
        println!(
            "{name}: {executed} inputs in {:.1} s, no panic",
            started.elapsed().as_secs_f64()
        );
    }
    assert!(ran > 0, "no target named {only:?}");
}

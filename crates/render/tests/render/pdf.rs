//! The seed notice as a PDF, checked from the outside with poppler's tools the way a
//! reader sees it: page size, embedded fonts, every character of every task, the
//! GB/T 9704 positions on page 1 and the attachment, determinism, and PNGs of page 1
//! and the first attachment page in `target/render-artifacts/` to look at.
//!
//! Tests that need poppler (`pdfinfo`, `pdffonts`, `pdftotext`, `pdftoppm`) skip with a
//! message when it is missing, and fail when the `CI` variable is set
//! ([`common::tool`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use duban_domain::Notice;
use duban_render::pdf::{Fonts, missing_glyphs, render_pdf};

use crate::common::{self, run};

const PT_PER_MM: f64 = 72.0 / 25.4;

/// The seed rendered once for all tests of this module (a debug render takes seconds).
static SEED_PDF: LazyLock<Vec<u8>> =
    LazyLock::new(|| render_pdf(&common::seed(), &Fonts::default()).expect("seed renders"));

/// A word of `pdftotext -bbox`, in pt from the page's top-left corner.
#[derive(Debug, Clone)]
struct Word {
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    text: String,
}

#[derive(Debug)]
struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

impl Page {
    /// The first word starting with `prefix`.
    fn word(&self, prefix: &str) -> &Word {
        self.words
            .iter()
            .find(|w| w.text.starts_with(prefix))
            .unwrap_or_else(|| panic!("no word “{prefix}” in {:#?}", self.words))
    }

    /// Words grouped into lines by their top edge, top to bottom.
    fn lines(&self) -> Vec<Vec<&Word>> {
        let mut lines: Vec<Vec<&Word>> = Vec::new();
        let mut words: Vec<&Word> = self.words.iter().collect();
        words.sort_by(|a, b| {
            a.y_min
                .total_cmp(&b.y_min)
                .then(a.x_min.total_cmp(&b.x_min))
        });
        for w in words {
            match lines.last_mut() {
                Some(line) if (line[0].y_min - w.y_min).abs() < 1.0 => line.push(w),
                _ => lines.push(vec![w]),
            }
        }
        lines
    }
}

fn attr(tag: &str, name: &str) -> f64 {
    let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
    let end = tag[start..].find('"').expect("closing quote") + start;
    tag[start..end].parse().expect("number")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn bbox(pdf: &Path, first: usize, last: usize) -> Vec<Page> {
    let html = run(
        "pdftotext",
        &[
            "-bbox",
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
            pdf.to_str().expect("path"),
            "-",
        ],
    );
    let mut pages = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages.push(Page {
                width: attr(line, "width"),
                height: attr(line, "height"),
                words: Vec::new(),
            });
        } else if line.starts_with("<word ") {
            let open_end = line.find('>').expect("tag end");
            let text = &line[open_end + 1..line.len() - "</word>".len()];
            if let Some(page) = pages.last_mut() {
                page.words.push(Word {
                    x_min: attr(line, "xMin"),
                    y_min: attr(line, "yMin"),
                    x_max: attr(line, "xMax"),
                    y_max: attr(line, "yMax"),
                    text: unescape(text),
                });
            }
        }
    }
    pages
}

fn mm(pt: f64) -> f64 {
    pt / PT_PER_MM
}

#[track_caller]
fn near(what: &str, actual_pt: f64, expected_mm: f64, tolerance_mm: f64) {
    let actual = mm(actual_pt);
    assert!(
        (actual - expected_mm).abs() <= tolerance_mm,
        "{what}: {actual:.2} mm, expected {expected_mm:.2} ± {tolerance_mm} mm"
    );
}

/// The seed PDF, written once to the artifact folder for the tools to read.
static SEED_PDF_PATH: LazyLock<PathBuf> =
    LazyLock::new(|| common::artifact("pdf-seed.pdf", &SEED_PDF));

fn seed_pdf_path() -> PathBuf {
    SEED_PDF_PATH.clone()
}

/// Page number of the first attachment page (the one that starts with “附件”).
fn first_attachment_page(pdf: &Path) -> usize {
    let pages = bbox(pdf, 1, 6);
    pages
        .iter()
        .position(|p| p.words.first().is_some_and(|w| w.text == "附件"))
        .expect("an attachment page")
        + 1
}

#[test]
fn pages_are_a4_portrait_and_the_attachment_landscape() {
    if !common::poppler("pdfinfo") {
        return;
    }
    let path = seed_pdf_path();
    let info = run("pdfinfo", &["-f", "1", "-l", "99", path.to_str().unwrap()]);
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .collect();
    assert!(sizes.len() > 3, "{info}");
    assert!(
        sizes[0].contains("595.276 x 841.89 pts (A4)"),
        "{}",
        sizes[0]
    );
    assert!(
        sizes[1].contains("595.276 x 841.89 pts (A4)"),
        "{}",
        sizes[1]
    );
    let attachment = first_attachment_page(&path);
    for size in &sizes[attachment - 1..] {
        assert!(size.contains("841.89 x 595.276 pts"), "{size}");
    }
    assert!(info.contains("Title:"), "{info}");
    assert!(
        info.contains(
            "泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报"
        ),
        "{info}"
    );
}

#[test]
fn fonts_are_embedded() {
    if !common::poppler("pdffonts") {
        return;
    }
    let path = seed_pdf_path();
    let out = run("pdffonts", &[path.to_str().unwrap()]);
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert!(rows.len() >= 3, "{out}");
    for row in rows {
        // name, type…, then emb sub uni: all yes.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
    }
    assert!(out.contains("NotoSerifCJKsc-Regular"), "{out}");
    assert!(out.contains("NotoSerifCJKsc-Bold"), "{out}");
    assert!(out.contains("NotoSansCJKsc-Regular"), "{out}");
}

fn strip(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `text` (whitespace stripped) without the page numbers `—N—`.
fn without_page_numbers(text: &str) -> String {
    let dash = '—'.len_utf8();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('—') {
        let after = &rest[at + dash..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with('—') {
            out.push_str(&rest[..at]);
            rest = &after[digits + dash..];
        } else {
            out.push_str(&rest[..at + dash]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn count(text: &str) -> HashMap<char, usize> {
    let mut counts = HashMap::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}

#[test]
fn every_character_of_every_task_cell_is_in_the_text() {
    if !common::poppler("pdftotext") {
        return;
    }
    let notice = common::seed();
    let path = seed_pdf_path();
    let text = run("pdftotext", &["-raw", path.to_str().unwrap(), "-"]);
    let flat = strip(&text);
    let mut cells = String::new();
    for task in &notice.tasks {
        let number = task.number.to_string();
        let content = task.content.plain_text();
        let units = task.lead_units_text.clone();
        let progress = task
            .progress
            .as_ref()
            .map(|p| p.plain_text())
            .unwrap_or_default();
        // A cell may continue on the next page, after the repeated header and the
        // other cells of its row: every cell's characters appear in order.
        for (column, cell) in [
            ("具体目标任务", &content),
            ("牵头责任单位", &units),
            ("落实情况", &progress),
        ] {
            let mut rest = flat.as_str();
            for c in strip(cell).chars() {
                let at = rest.find(c).unwrap_or_else(|| {
                    panic!("task {number} {column}: “{c}” missing or out of order in “{cell}”")
                });
                rest = &rest[at + c.len_utf8()..];
            }
        }
        // Cells of rows that fit on one page read as one piece (task 1 and 2 do).
        if task.number.0 <= 2 {
            assert!(flat.contains(&strip(&content)), "task {number}: {content}");
        }
        cells.push_str(&number);
        cells.push_str(&content);
        cells.push_str(&units);
        cells.push_str(&progress);
    }
    // And every character as often as the cells have it.
    let have_counts = count(&text);
    for (c, n) in count(&cells) {
        let got = have_counts.get(&c).copied().unwrap_or(0);
        assert!(got >= n, "“{c}”: {got} in the PDF text, {n} in the cells");
    }
    for c in ['㎡', '濛', '①', '②', '③', '④', '⑤', '“', '”'] {
        assert!(text.contains(c), "{c} missing from the PDF text");
    }
}

#[test]
fn no_character_lacks_a_glyph() {
    let notice = common::seed();
    assert_eq!(
        missing_glyphs(&notice, &Fonts::default()),
        Vec::<char>::new()
    );
}

#[test]
fn page_one_follows_gb_t_9704() {
    if !common::poppler("pdftotext") {
        return;
    }
    let path = seed_pdf_path();
    let pages = bbox(&path, 1, 2);
    let p1 = &pages[0];
    near("page width", p1.width, 210.0, 0.1);
    near("page height", p1.height, 297.0, 0.1);

    // 发文机关标志: top edge 35 mm below the 版心 top (37 mm), as wide as the 版心.
    let mark = p1.word("泉州市鲤城区人民政府办公室文件");
    near("issuer mark top", mark.y_min, 37.0 + 35.0, 0.5);
    near("issuer mark left", mark.x_min, 28.0, 0.5);
    near("issuer mark right", mark.x_max, 28.0 + 156.0, 0.5);

    // 发文字号: two empty lines below the mark, centred on the 版心.
    let number = p1.word("泉鲤政办〔2020〕48号");
    near(
        "doc number centre",
        (number.x_min + number.x_max) / 2.0,
        28.0 + 78.0,
        0.5,
    );
    near(
        "doc number gap",
        number.y_min - mark.y_max,
        mm(2.0 * 28.95 + 12.95),
        0.5,
    );

    // Title: centred lines, two empty lines below the red rule (4 mm under the number).
    let lines = p1.lines();
    let title: Vec<&Vec<&Word>> = lines
        .iter()
        .filter(|l| l[0].y_max - l[0].y_min > 20.0 && l[0].y_min > number.y_max)
        .collect();
    assert_eq!(title.len(), 3, "{title:#?}");
    assert_eq!(title[0][0].text, "泉州市鲤城区人民政府办公室关于");
    for line in &title {
        let (l, r) = (line[0].x_min, line.last().unwrap().x_max);
        near("title line centre", (l + r) / 2.0, 28.0 + 78.0, 0.5);
    }
    let rule_mm = mm(number.y_max) + 4.0;
    near(
        "title top",
        title[0][0].y_min,
        rule_mm + mm(2.0 * 28.95 + 12.95) + mm(1.5),
        1.0,
    );

    // The text block: 主送 flush left on the 版心 edge; the body on a 28.95 pt grid
    // with 2-字 indent; full lines reach the right edge of the 版心.
    let to = p1.word("高新区管委会");
    assert!(to.text.ends_with("区直有关单位："), "{}", to.text);
    near("recipients left edge (订口)", to.x_min, 28.0, 1.0);
    let body = p1.word("根据《泉州市鲤城区");
    near("body pitch", body.y_min - to.y_min, mm(28.95), 0.1);
    near(
        "first-line indent",
        body.x_min - to.x_min,
        2.0 * 156.0 / 28.0,
        0.3,
    );
    near("body right edge", body.x_max, 28.0 + 156.0, 1.0);

    // Page 2 starts on the first line of the 版心: the top margin (天头).
    let p2 = &pages[1];
    let top = p2.lines()[0][0].y_min;
    near("top margin (天头), page 2", top, 37.0, 1.0);

    // Sealed (§7.3.5.1): the date 右空四字, the 署名 centred above it (its 13 字 leave
    // one 字 at the edge); 附注 左空二字. The body's last line came over with them.
    let zi = 156.0 / 28.0;
    assert!(
        p2.lines()[0][0].text.starts_with("黄区长讲话部署情况"),
        "{:?}",
        p2.lines()[0]
    );
    let sign = p2.word("泉州市鲤城区人民政府办公室");
    let date = p2.word("2020年10月15日");
    near("date right", date.x_max, 28.0 + 156.0 - 4.0 * zi, 0.5);
    // The 署名 is centred on the date as the fonts measure them (the date's digits are
    // not exactly half a 字), which leaves at least one 字 at the edge.
    assert!(
        mm(sign.x_max) <= 28.0 + 156.0 - zi + 0.1,
        "signatory right: {:.2} mm, at most {:.2} mm",
        mm(sign.x_max),
        28.0 + 156.0 - zi
    );
    near("signatory right", sign.x_max, 28.0 + 156.0 - zi, 1.0);
    near(
        "signatory centred over the date",
        (sign.x_min + sign.x_max) / 2.0,
        mm((date.x_min + date.x_max) / 2.0),
        0.1,
    );
    near("date line", date.y_min - sign.y_min, mm(28.95), 0.1);
    // Two blank lines above the 署名 for the seal, one above the 附件说明.
    let attachment = p2.word("附件：");
    near(
        "attachment note below the body",
        attachment.y_min - p2.lines()[0][0].y_min,
        mm(2.0 * 28.95),
        0.1,
    );
    near(
        "signatory below the attachment note",
        sign.y_min - attachment.y_min,
        mm(3.0 * 28.95),
        0.1,
    );
    let note = p2.word("（此件主动公开）");
    near("note indent", note.x_min, 28.0 + 2.0 * zi, 0.5);
    near(
        "attachment note indent",
        attachment.x_min,
        28.0 + 2.0 * zi,
        0.5,
    );

    // Page numbers: 一字线 7 mm below the 版心, odd right and even left, one 字 in.
    // (left, right, middle of the em box) of the page number.
    let number_box = |p: &Page| -> (f64, f64, f64) {
        let words: Vec<&Word> = p.words.iter().filter(|w| w.y_min > 740.0).collect();
        let first = words.first().expect("page number");
        let last = words.last().expect("page number");
        (first.x_min, last.x_max, (first.y_min + first.y_max) / 2.0)
    };
    let (_, r1, y1) = number_box(p1);
    near("odd page number right", r1, 28.0 + 156.0 - mm(14.0), 0.5);
    near("page number 一字线", y1, 262.0 + 7.0, 0.7);
    let (l2, _, _) = number_box(p2);
    near("even page number left", l2, 28.0 + mm(14.0), 0.5);
}

#[test]
fn attachment_page_positions() {
    if !common::poppler("pdftotext") {
        return;
    }
    let path = seed_pdf_path();
    let n = first_attachment_page(&path);
    let pages = bbox(&path, n, n + 1);
    let page = &pages[0];
    near("landscape width", page.width, 297.0, 0.1);
    // Landscape 版心: 225 × 156 mm, top 28 mm, left 37 mm.
    let label = page.word("附件");
    near("附件 label left", label.x_min, 37.0, 0.5);
    near("附件 label top", label.y_min, 28.0, 0.5);
    let title = page.word("黄区长在区政府第一次全体会议上的讲话部署落实情况表");
    near(
        "table title on line 3",
        title.y_min,
        28.0 + mm(2.0 * 28.95),
        0.5,
    );
    near(
        "table title centre",
        (title.x_min + title.x_max) / 2.0,
        37.0 + 112.5,
        0.5,
    );
    let header = page.word("序号");
    near(
        "header below the title",
        header.y_min - title.y_max,
        6.6,
        1.5,
    );
    assert!(mm(header.x_min) > 37.0 && mm(header.x_max) < 37.0 + 20.0);
    // The tallest cell of the first row (its 落实情况) starts one cell inset (2 × 6.2 pt)
    // under the header text.
    let first = page.word("区发改局联合工信");
    near(
        "first row under the header",
        first.y_min - header.y_max,
        mm(12.4),
        0.5,
    );
    // Columns: 序号 narrow, 落实情况 widest; all inside the 版心.
    let progress = page.word("落实情况");
    let content = page.word("具体目标任务");
    assert!(progress.x_min > content.x_max);
    // Header row repeated on the next page, at the top of the 版心.
    let next = &pages[1];
    let again = next.word("序号");
    assert!(mm(again.y_min) < 28.0 + 6.0, "{again:?}");
    assert!(next.words.iter().any(|w| w.text == "落实情况"));
}

/// Red pixels (print red CMYK 0/80/80/0) of page 1 at 72 dpi: the rows they are in.
fn red_rows(ppm: &[u8]) -> (usize, Vec<(usize, usize)>) {
    // P6 header: "P6\n<w> <h>\n255\n".
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&ppm[start..at]).to_string());
    }
    let width: usize = fields[1].parse().expect("PGM width");
    let height: usize = fields[2].parse().expect("PGM height");
    let pixels = &ppm[at + 1..];
    let mut rows = Vec::new();
    for y in 0..height {
        let red = (0..width)
            .filter(|x| {
                let p = &pixels[(y * width + x) * 3..][..3];
                p[0] > 180 && p[1] < 140 && p[2] < 140
            })
            .count();
        if red > 0 {
            rows.push((y, red));
        }
    }
    (width, rows)
}

#[test]
fn page_one_and_the_attachment_as_pictures() {
    if !common::poppler("pdftoppm") {
        return;
    }
    let path = seed_pdf_path();
    let dir = common::artifacts_dir();
    let attachment = first_attachment_page(&path);
    for (page, name) in [(1, "pdf-page1"), (attachment, "pdf-attachment")] {
        let out = dir.join(name);
        run(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "100",
                "-singlefile",
                "-f",
                &page.to_string(),
                "-l",
                &page.to_string(),
                path.to_str().unwrap(),
                out.to_str().unwrap(),
            ],
        );
        let png = std::fs::read(out.with_extension("png")).expect("png written");
        assert!(png.starts_with(b"\x89PNG"), "{name}");
    }
    // At 72 dpi one pixel is one point: the red mark and the red rule in place.
    let ppm_base = dir.join("pdf-page1-72");
    run(
        "pdftoppm",
        &[
            "-r",
            "72",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            path.to_str().unwrap(),
            ppm_base.to_str().unwrap(),
        ],
    );
    let ppm = std::fs::read(ppm_base.with_extension("ppm")).expect("ppm written");
    let (_, rows) = red_rows(&ppm);
    let first = rows.first().expect("red on page 1").0 as f64;
    near("red mark ink top", first, 37.0 + 35.0, 1.5);
    let rule: Vec<usize> = rows
        .iter()
        .filter(|(_, n)| *n > 400)
        .map(|(y, _)| *y)
        .collect();
    assert!(!rule.is_empty(), "no red rule across the 版心");
    // The rule: 4 mm below the 发文字号 (whose em box ends at 332.9 pt).
    near("red rule", rule[0] as f64, mm(332.94) + 4.0, 0.7);
    let _ = std::fs::remove_file(ppm_base.with_extension("ppm"));
}

#[test]
fn same_notice_same_bytes() {
    let notice = common::seed();
    let again = render_pdf(&notice, &Fonts::default()).expect("renders");
    assert!(*SEED_PDF == again, "two renders of the seed differ");
    let fresh = Fonts::load_dir(tempfile::tempdir().unwrap().path()).expect("empty folder");
    let third = render_pdf(&notice, &fresh).expect("renders");
    assert!(*SEED_PDF == third, "a fresh font set changes the bytes");
    assert!(SEED_PDF.starts_with(b"%PDF-"));
}

/// A notice with only body text (no table) in 22 lines of 28 characters per page.
#[test]
fn body_pages_have_22_lines_of_28_characters() {
    if !common::poppler("pdftotext") {
        return;
    }
    let mut notice = common::seed();
    notice.tasks.clear();
    let hanzi: String = "督办事项落实情况通报各单位认真研究部署推进"
        .chars()
        .cycle()
        .take(28 * 60)
        .collect();
    notice.document.body = vec![hanzi];
    notice.document.attachment = None;
    let pdf = render_pdf(&notice, &Fonts::default()).expect("renders");
    let path = common::artifact("pdf-grid.pdf", &pdf);
    let pages = bbox(&path, 2, 2);
    let lines: Vec<String> = pages[0]
        .lines()
        .iter()
        .filter(|l| l[0].y_min < 740.0)
        .map(|l| l.iter().map(|w| w.text.as_str()).collect())
        .collect();
    assert_eq!(lines.len(), 22, "{lines:#?}");
    for line in &lines {
        assert_eq!(line.chars().count(), 28, "{line}");
    }
    let grid = pages[0].lines();
    near("first line", grid[0][0].y_min, 37.0, 0.5);
    near("22nd line", grid[21][0].y_min, 37.0 + mm(21.0 * 28.95), 0.3);
    assert!(mm(grid[21][0].y_max) <= 37.0 + 225.0);
}

/// Headings, 版记 and a notice without a table.
#[test]
fn headings_imprint_and_no_attachment() {
    if !common::poppler("pdftotext") || !common::poppler("pdffonts") {
        return;
    }
    let mut notice = common::seed();
    notice.tasks.clear();
    notice.document.attachment = None;
    notice.document.body = vec![
        "一、总体要求。全面落实区政府部署。".into(),
        "（一）工作目标。按期完成。".into(),
        "1.加强领导。".into(),
    ];
    notice.document.copy_to = vec!["区委办".into(), "区人大办".into()];
    notice.document.printed_by = Some("泉州市鲤城区人民政府办公室".into());
    notice.document.printed_on = chrono::NaiveDate::from_ymd_opt(2020, 10, 15);
    let pdf = render_pdf(&notice, &Fonts::default()).expect("renders");
    let path = common::artifact("pdf-imprint.pdf", &pdf);
    let fonts = run("pdffonts", &[path.to_str().unwrap()]);
    assert!(fonts.contains("NotoSansCJKsc"), "黑体 for 一、: {fonts}");
    assert!(fonts.contains("UKai"), "楷体 for （一）: {fonts}");
    let pages = bbox(&path, 1, 9);
    let last = pages.last().unwrap();
    let copy = last.word("抄送：区委办，区人大办。");
    let printed = last.word("2020年10月15日印发");
    near("抄送 indent", copy.x_min, 28.0 + mm(14.0), 0.5);
    near(
        "印发日期 right",
        printed.x_max,
        28.0 + 156.0 - mm(14.0),
        0.5,
    );
    // The 版记 sits at the bottom of the 版心 of the last page, below the 附注.
    assert!(mm(printed.y_max) > 262.0 - 12.0, "{printed:?}");
    assert!(mm(printed.y_max) < 262.0, "{printed:?}");
    assert!(last.word("（此件主动公开）").y_max < copy.y_min);
}

/// A site's licensed fonts, found by file name, take their roles: here a sans face
/// filed as the Windows 仿宋 (`simfang`) sets the body.
#[test]
fn fonts_from_a_folder_take_their_roles() {
    if !common::poppler("pdffonts") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp folder");
    let sans = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSansCJKsc-Regular-GB2312.otf");
    std::fs::copy(&sans, dir.path().join("simfang.otf")).expect("copy font");
    let fonts = Fonts::load_dir(dir.path()).expect("fonts load");
    assert_eq!(
        fonts.families(duban_render::layout::FontRole::FangSong)[0],
        "Noto Sans CJK SC"
    );
    let mut notice = common::seed();
    notice.tasks.clear();
    let pdf = render_pdf(&notice, &fonts).expect("renders");
    let path = common::artifact("pdf-site-fonts.pdf", &pdf);
    let out = run("pdffonts", &[path.to_str().unwrap()]);
    // The body (no headings, no table) is now in the sans face; 宋体 page numbers
    // still in the serif one.
    assert!(out.contains("NotoSansCJKsc-Regular"), "{out}");
    assert!(out.contains("NotoSerifCJKsc-Regular"), "{out}");
}

/// Notice text is data, never typst markup: markup characters print as written, and an
/// empty notice still renders.
#[test]
fn markup_characters_print_as_written() {
    let empty = render_pdf(&Notice::default(), &Fonts::default()).expect("empty notice");
    assert!(empty.starts_with(b"%PDF-"));
    if !common::poppler("pdftotext") {
        return;
    }
    let mut notice = common::seed();
    notice.tasks.truncate(1);
    let odd =
        r#"#set page(width: 1cm) $x^2$ *粗* _斜_ [链接](x) <标签> @引用 \n // 注释 `代码` = 标题"#;
    notice.document.body = vec![odd.to_string()];
    notice.tasks[0].content = duban_domain::RichText::plain(odd);
    let pdf = render_pdf(&notice, &Fonts::default()).expect("renders");
    let path = common::artifact("pdf-markup.pdf", &pdf);
    // The body's last line goes to page 2 with the 署名: read across the page number.
    let text = without_page_numbers(&strip(&run(
        "pdftotext",
        &["-raw", path.to_str().unwrap(), "-"],
    )));
    assert_eq!(text.matches(&strip(odd)).count(), 2, "{text}");
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    assert!(info.contains("595.276 x 841.89"), "{info}");
}

/// Without 落实情况 the table has three columns and stays portrait; a 版记 after the
/// attachment gets a page of its own, without a page number.
#[test]
fn three_column_table_is_portrait_and_the_imprint_follows_it() {
    if !common::poppler("pdfinfo") || !common::poppler("pdftotext") {
        return;
    }
    let mut notice = common::seed();
    notice.tasks.truncate(6);
    for task in &mut notice.tasks {
        task.progress = None;
    }
    notice.document.copy_to = vec!["区委办".into()];
    let pdf = render_pdf(&notice, &Fonts::default()).expect("renders");
    let path = common::artifact("pdf-portrait-table.pdf", &pdf);
    let info = run("pdfinfo", &["-f", "1", "-l", "99", path.to_str().unwrap()]);
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .collect();
    assert!(sizes.len() >= 4, "{info}");
    for size in &sizes {
        assert!(size.contains("595.276 x 841.89"), "{size}");
    }
    let pages = bbox(&path, 1, 99);
    let attachment = pages
        .iter()
        .find(|p| p.words.first().is_some_and(|w| w.text == "附件"))
        .expect("attachment page");
    let header = attachment.word("具体目标任务");
    assert!(mm(header.x_max) < 28.0 + 156.0);
    let last = pages.last().unwrap();
    assert_eq!(last.words.len(), 1, "{:?}", last.words);
    assert_eq!(last.words[0].text, "抄送：区委办。");
    near(
        "抄送 at the bottom of the 版心",
        last.words[0].y_max,
        262.0 - 1.5,
        2.0,
    );
}

//! The page with the 成文日期 always carries body text, and page 1 always shows body
//! text (GB/T 9704-2012 §7.3.3, §7.3.5): notices with the seed's 版头 and closing block
//! and bodies of 1 to 40 lines, and the seed itself, as PDF and as DOCX converted by
//! LibreOffice, read page by page with pdftotext. The seed's signature page is kept as
//! a PNG in `target/render-artifacts/` to look at.

use std::path::PathBuf;

use duban_domain::Notice;
use duban_render::docx::render_docx;
use duban_render::layout::{ClosingFit, NoticeView};

use crate::common;

/// Body text: characters that appear nowhere else on the notice's pages, so that any of
/// them on a page is body text.
const BODY_CHARS: &str = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥";

/// The longest body tried, in lines of the 28-字 grid.
const MOST_LINES: usize = 40;

/// The seed's 版头, 主送, 附件说明, 署名, 成文日期 and 附注, no attachment table, and a
/// body of `lines` lines: paragraphs of up to five lines, their last lines filled to
/// varying lengths (some exactly full), with commas for the line breaker to respect.
fn notice_with_body(lines: usize) -> Notice {
    let mut notice = common::seed();
    notice.tasks.clear();
    let mut letters = BODY_CHARS.chars().cycle();
    let mut body = Vec::new();
    let mut left = lines;
    while left > 0 {
        let k = left.min(5);
        left -= k;
        // First line after the 2-字 indent, then full lines, less a varying cut.
        let cut = (body.len() * 7 + lines * 3) % 20;
        let room = 26 + 28 * (k - 1);
        let length = if k == 1 {
            room - cut.min(20)
        } else {
            room - cut
        };
        let mut text: String = (1..length)
            .map(|i| {
                if i % 11 == 0 {
                    '，'
                } else {
                    letters.next().unwrap_or('甲')
                }
            })
            .collect();
        text.push('。');
        body.push(text);
    }
    notice.document.body = body;
    notice
}

/// The notices tried, each with what to call it.
fn notices() -> Vec<(String, Notice)> {
    let mut notices: Vec<(String, Notice)> = (1..=MOST_LINES)
        .map(|n| (format!("{n} body lines"), notice_with_body(n)))
        .collect();
    notices.push(("the seed".into(), common::seed()));
    notices
}

/// Whether `page` holds body text.
fn has_body(page: &str) -> bool {
    page.chars().any(|c| BODY_CHARS.contains(c))
}

/// The lines of `page` that are body text of `notice`: part of its body, and not one
/// of the notice's other texts (the seed's 署名 is also words of its body).
fn body_lines(page: &str, notice: &Notice) -> Vec<String> {
    let view = NoticeView::new(notice);
    let body = common::squeeze(&notice.document.body.concat());
    let mut others: Vec<String> = view.title_lines.clone();
    others.extend(
        [
            &view.issuer_mark,
            &view.doc_number,
            &view.recipients,
            &view.attachment_note,
            &view.signatory,
            &view.date,
            &view.note,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    let others: Vec<String> = others.iter().map(|t| common::squeeze(t)).collect();
    page.lines()
        .map(common::squeeze)
        .filter(|l| !l.is_empty() && body.contains(l.as_str()))
        .filter(|l| !others.iter().any(|o| o.contains(l.as_str())))
        .collect()
}

/// Checks one rendered notice: the page with the 成文日期 and page 1 carry body text.
#[track_caller]
fn check_pages(what: &str, pages: &[String], notice: &Notice) {
    let date = "2020年10月15日";
    let on = pages
        .iter()
        .position(|p| common::squeeze(p).contains(date))
        .unwrap_or_else(|| panic!("{what}: no page has the 成文日期"));
    assert!(
        !body_lines(&pages[on], notice).is_empty(),
        "{what}: page {} has the 成文日期 but no body text:\n{}",
        on + 1,
        pages[on]
    );
    assert!(
        !body_lines(&pages[0], notice).is_empty(),
        "{what}: page 1 shows no body text:\n{}",
        pages[0]
    );
}

/// Checks that every body character of a notice made by [`notice_with_body`] is on its
/// pages, in order (the seed's body is checked with its cells in `pdf` and `docx`).
#[track_caller]
fn check_body_kept(what: &str, pages: &[String], notice: &Notice) {
    if !has_body(&notice.document.body.concat()) {
        return;
    }
    let keep = |c: &char| BODY_CHARS.contains(*c);
    let printed: String = pages.concat().chars().filter(keep).collect();
    let body: String = notice.document.body.concat().chars().filter(keep).collect();
    assert_eq!(printed, body, "{what}: body text lost or out of order");
}

#[test]
fn the_other_texts_of_the_notice_share_no_character_with_the_body() {
    let view = NoticeView::new(&notice_with_body(1));
    let others = [
        view.issuer_mark.clone(),
        view.doc_number.clone(),
        Some(view.title_text()),
        view.recipients.clone(),
        view.attachment_note.clone(),
        view.signatory.clone(),
        view.date.clone(),
        view.note.clone(),
    ];
    for text in others.into_iter().flatten() {
        assert!(!has_body(&text), "“{text}” shares characters with the body");
    }
}

/// The layout's decisions over the bodies tried: a one-line body on page 1 has its
/// block compressed (moving that line would leave page 1 without body text), bodies
/// ending near the foot of a page carry their last line over or, a line short of
/// fitting, have the blank lines above the block narrowed; others fit.
#[test]
fn the_layout_decides_each_way_over_the_bodies_tried() {
    let fits: Vec<ClosingFit> = (1..=MOST_LINES)
        .map(|n| NoticeView::new(&notice_with_body(n)).closing.fit)
        .collect();
    assert_eq!(fits[0], ClosingFit::Compressed);
    for way in [
        ClosingFit::Fits,
        ClosingFit::Tightened,
        ClosingFit::CarriesLastLine,
    ] {
        assert!(fits.contains(&way), "{way:?} never chosen: {fits:?}");
    }
    let seed = NoticeView::new(&common::seed()).closing;
    assert_eq!(seed.fit, ClosingFit::CarriesLastLine);
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_signature_page_carries_body_text() {
    use duban_render::pdf::{Fonts, render_pdf};
    if !common::poppler("pdftotext") {
        return;
    }
    let fonts = Fonts::default();
    let dir = tempfile::tempdir().expect("temp dir");
    // On two threads: 41 notices, the seed with its 25 pages of table.
    let notices = notices();
    let render = |parity: usize| {
        notices
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(i, (_, notice))| {
                let path = dir.path().join(format!("notice-{i}.pdf"));
                let pdf = render_pdf(notice, &fonts).expect("renders");
                std::fs::write(&path, pdf).expect("write pdf");
                (i, path)
            })
            .collect::<Vec<_>>()
    };
    let mut rendered = std::thread::scope(|scope| {
        let other = scope.spawn(|| render(1));
        let mut all = render(0);
        all.extend(other.join().expect("render thread"));
        all
    });
    rendered.sort();
    let rendered: Vec<PathBuf> = rendered.into_iter().map(|(_, path)| path).collect();
    for ((what, notice), path) in notices.iter().zip(&rendered) {
        let pages = common::page_texts(path);
        check_pages(&format!("PDF, {what}"), &pages, notice);
        check_body_kept(&format!("PDF, {what}"), &pages, notice);
    }
    // The seed's first two pages, to look at: the body's last line over the 附件说明.
    let seed = rendered.last().expect("the seed");
    let seed_pdf = common::artifacts_dir().join("signature-pdf-seed.pdf");
    std::fs::copy(seed, &seed_pdf).expect("copy");
    to_png(&seed_pdf, "signature-pdf-seed");
}

#[test]
fn docx_signature_page_carries_body_text_in_libreoffice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let notices = notices();
    let docx: Vec<PathBuf> = notices
        .iter()
        .enumerate()
        .map(|(i, (_, notice))| {
            let path = dir.path().join(format!("notice-{i}.docx"));
            std::fs::write(&path, render_docx(notice).expect("renders")).expect("write");
            path
        })
        .collect();
    let Some(pdfs) = common::soffice_to_pdf(&docx, dir.path()) else {
        return;
    };
    if !common::poppler("pdftotext") {
        return;
    }
    for ((what, notice), pdf) in notices.iter().zip(&pdfs) {
        let what = format!("DOCX in LibreOffice, {what}");
        let pages = common::page_texts(pdf);
        check_pages(&what, &pages, notice);
        check_body_kept(&what, &pages, notice);
    }
    let seed_pdf = common::artifacts_dir().join("signature-docx-seed.pdf");
    std::fs::copy(pdfs.last().expect("the seed"), &seed_pdf).expect("copy");
    to_png(&seed_pdf, "signature-docx-seed");
}

/// Pages 1 and 2 of `pdf` as PNGs `STEM-01.png`, `STEM-02.png` (pdftoppm numbers them
/// to the width of the page count) in the artifact folder.
fn to_png(pdf: &std::path::Path, stem: &str) {
    if !common::poppler("pdftoppm") {
        return;
    }
    let out = common::artifacts_dir().join(stem);
    common::run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "2",
            pdf.to_str().expect("path"),
            out.to_str().expect("path"),
        ],
    );
}

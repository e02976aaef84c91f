//! The 署名 and 成文日期 measured on the PDF page in millimetres, for a sealed notice
//! (GB/T 9704 §7.3.5.1) and one without a seal (§7.3.5.2), read with `pdftotext -bbox`.

use std::process::Command;

use duban_domain::SignatureLayout;
use duban_render::pdf::{Fonts, render_pdf_with};

use crate::common;

const MM_PER_PT: f64 = 25.4 / 72.0;
/// Right edge of the 版心: 210 mm − 26 mm.
const RIGHT_EDGE_MM: f64 = 184.0;
/// One 字 at 3号 (16 pt).
const ZI_MM: f64 = 16.0 * MM_PER_PT;
/// One line of the 22-line grid: 28.95 pt.
const LINE_MM: f64 = 28.95 * MM_PER_PT;
/// How far a measured position may be from the standard's.
const TOLERANCE_MM: f64 = 0.6;

/// A word's box in mm: (x min, y min, x max).
type Box = (f64, f64, f64);

/// The boxes of the 附件说明, 署名 and 成文日期 on the page that carries the date.
fn closing_boxes(layout: SignatureLayout) -> Option<(Box, Box, Box)> {
    if !common::poppler("pdftotext") {
        return None;
    }
    let notice = common::seed();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notice.pdf");
    let pdf = render_pdf_with(&notice, &Fonts::default(), layout).expect("renders");
    std::fs::write(&path, pdf).expect("write");
    std::fs::copy(
        &path,
        common::artifacts_dir().join(format!("seal-{}.pdf", layout.code())),
    )
    .expect("keep a copy");
    for page in 1..=3 {
        let out = Command::new("pdftotext")
            .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let find = |starts: &str| -> Option<Box> {
            let line = text.lines().find(|l| {
                l.trim_start().starts_with("<word") && l.contains(&format!(">{starts}"))
            })?;
            let attr = |name: &str| -> f64 {
                line.split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .and_then(|v| v.parse().ok())
                    .expect("a coordinate")
            };
            Some((
                attr("xMin") * MM_PER_PT,
                attr("yMin") * MM_PER_PT,
                attr("xMax") * MM_PER_PT,
            ))
        };
        if let Some(date) = find("2020年10月15日") {
            return Some((
                find("附件：").expect("附件说明 on the date's page"),
                find("泉州市鲤城区人民政府办公室</word>").expect("署名 on the date's page"),
                date,
            ));
        }
    }
    panic!("no 成文日期 on the first pages");
}

#[track_caller]
fn near(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOLERANCE_MM,
        "{what}: {got:.2} mm, the standard's {want:.2} mm"
    );
}

#[test]
fn sealed_date_four_zi_from_the_right_signatory_centred_over_it() {
    let Some((attachment, signatory, date)) = closing_boxes(SignatureLayout::Sealed) else {
        return;
    };
    near("成文日期 右空四字", date.2, RIGHT_EDGE_MM - 4.0 * ZI_MM);
    near(
        "署名 centred over the date",
        (signatory.0 + signatory.2) / 2.0,
        (date.0 + date.2) / 2.0,
    );
    // Two blank lines for the seal between the 附件说明 and the 署名, then the date.
    near(
        "署名 3 lines below",
        signatory.1 - attachment.1,
        3.0 * LINE_MM,
    );
    near("date one line below", date.1 - signatory.1, LINE_MM);
}

#[test]
fn unsealed_signatory_two_zi_from_the_right_date_two_zi_in() {
    let Some((attachment, signatory, date)) = closing_boxes(SignatureLayout::Unsealed) else {
        return;
    };
    near("署名 右空二字", signatory.2, RIGHT_EDGE_MM - 2.0 * ZI_MM);
    near(
        "date's first character 2 字 right of the 署名's",
        date.0,
        signatory.0 + 2.0 * ZI_MM,
    );
    // 正文（附件说明）下空一行.
    near(
        "署名 2 lines below",
        signatory.1 - attachment.1,
        2.0 * LINE_MM,
    );
    near("date one line below", date.1 - signatory.1, LINE_MM);
}

#[test]
fn a_date_longer_than_the_signatory_goes_two_zi_from_the_right() {
    use duban_render::layout::SignaturePlacement;
    let p = SignaturePlacement::for_layout("区政府办", "2020年10月15日", SignatureLayout::Unsealed);
    // 署名 4 字, date 7: the date 右空二字, the 署名 moved left so that the date still
    // starts two 字 right of it.
    assert_eq!(p.date_right_em, 2.0);
    assert_eq!(p.signatory_right_em, 7.0);
    let p = SignaturePlacement::for_layout(
        "泉州市鲤城区人民政府办公室",
        "2020年10月15日",
        SignatureLayout::Unsealed,
    );
    assert_eq!((p.signatory_right_em, p.date_right_em), (2.0, 6.0));
}

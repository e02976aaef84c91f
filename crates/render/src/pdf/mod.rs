//! The notice as a PDF in the GB/T 9704-2012 layout, typeset by typst embedded as a
//! library. Every typst call of duban lives in this module.
//!
//! The template (`notice.typ`) is fixed; the notice reaches it as typst values in
//! `sys.inputs` (see `data.rs`), never as markup, so nothing in a notice needs escaping.
//! The typst world has no file system, no packages and a fixed date: the same notice
//! and fonts give the same bytes.

mod data;
mod discover;
mod fonts;

pub use fonts::{FontKind, Fonts, OPEN_FANGSONG};

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Datelike;
use duban_domain::{Notice, SignatureLayout};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::RenderError;
use crate::layout::NoticeView;
use fonts::FontSet;

const TEMPLATE: &str = include_str!("notice.typ");
const SHEET_TEMPLATE: &str = include_str!("sheet.typ");

/// Renders `notice` as a PDF: A4, 版心 156 × 225 mm, 22 lines of 28 characters, red
/// 发文机关标志 and rule, title, body, 附件说明, 署名 and 成文日期, 附注, page numbers, and
/// the attachment table on landscape pages with its header repeated. Deterministic.
pub fn render_pdf(notice: &Notice, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    render_pdf_with(notice, fonts, SignatureLayout::Sealed)
}

/// [`render_pdf`] with the 署名 and 成文日期 laid out as `layout`.
pub fn render_pdf_with(
    notice: &Notice,
    fonts: &Fonts,
    layout: SignatureLayout,
) -> Result<Vec<u8>, RenderError> {
    let view = NoticeView::with_layout(notice, layout);
    let world = NoticeWorld::new(
        "notice.typ",
        TEMPLATE,
        data::inputs(&view, fonts),
        fonts,
        notice.document.date,
    )?;
    let ident = view.doc_number.clone().unwrap_or_else(|| view.title_text());
    compile(&world, &ident)
}

/// Renders a 督办单 as a one-page PDF on the GB/T 9704 page, with the rows of
/// [`crate::sheet::rows`] (the DOCX's). Deterministic.
pub fn render_sheet_pdf(
    sheet: &duban_domain::sheet::SupervisionSheet,
    fonts: &Fonts,
) -> Result<Vec<u8>, RenderError> {
    let world = NoticeWorld::new(
        "sheet.typ",
        SHEET_TEMPLATE,
        data::sheet_inputs(sheet, fonts),
        fonts,
        Some(sheet.date),
    )?;
    compile(&world, &sheet.file_stem())
}

/// Typesets `world` and writes it as PDF with `ident` as its identifier.
fn compile(world: &NoticeWorld, ident: &str) -> Result<Vec<u8>, RenderError> {
    compile_limited(world, ident, duban_domain::limits::PDF_PAGES)
}

/// Lays out the document and writes the PDF, refusing one of more than `max_pages`
/// pages before the PDF (the larger part of the memory) is written.
fn compile_limited(
    world: &NoticeWorld,
    ident: &str,
    max_pages: usize,
) -> Result<Vec<u8>, RenderError> {
    let compiled = typst::compile::<PagedDocument>(world);
    // typst memoises layout work globally; drop it after each render so a
    // long-running server does not grow, and every render costs the same.
    typst::comemo::evict(0);
    let document = compiled
        .output
        .map_err(|errors| diagnostics(world, &errors))?;
    let pages = document.pages().len();
    if pages > max_pages {
        return Err(RenderError::TooLarge(format!(
            "PDF 将有 {pages} 页，超过每份 PDF 最多 {max_pages} 页的限制。请拆分通报或缩短单元格内容后重试。"
        )));
    }
    let options = PdfOptions {
        ident: Smart::Custom(format!("duban:{ident}")),
        creator: Smart::Custom(Some("duban".to_string())),
        timestamp: world.today.map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| diagnostics(world, &errors))
}

/// The characters of `notice` that no font in `fonts` has: they would print as empty
/// boxes (tofu). Empty for every notice within GB2312 and the bundled fonts; the CLI
/// can warn with the list and suggest `Fonts::load_dir` with a fuller font.
pub fn missing_glyphs(notice: &Notice, fonts: &Fonts) -> Vec<char> {
    let view = NoticeView::new(notice);
    let inputs = data::inputs(&view, fonts);
    let mut chars = BTreeSet::new();
    if let Ok(value) = inputs.get("notice") {
        collect_chars(value, &mut chars);
    }
    // Text the template adds itself: labels, page numbers.
    chars.extend("附件：— 0123456789".chars());
    chars
        .into_iter()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .filter(|c| {
            !fonts
                .inner
                .fonts
                .iter()
                .any(|f| f.info().coverage.contains(u32::from(*c)))
        })
        .collect()
}

fn collect_chars(value: &Value, out: &mut BTreeSet<char>) {
    match value {
        Value::Str(s) => out.extend(s.as_str().chars()),
        Value::Array(items) => items.iter().for_each(|v| collect_chars(v, out)),
        Value::Dict(dict) => dict.iter().for_each(|(_, v)| collect_chars(v, out)),
        _ => {}
    }
}

/// A typst error is a bug of the template (the data cannot cause one), so the message
/// says so and keeps typst's words and the template line for the developer.
fn diagnostics(world: &NoticeWorld, errors: &[SourceDiagnostic]) -> RenderError {
    let detail: Vec<String> = errors
        .iter()
        .map(|e| match world.range(e.span) {
            Some(range) => {
                let template = world.main.text();
                let line = template
                    .get(..range.start)
                    .map_or(0, |before| before.matches('\n').count() + 1);
                let snippet = template.get(range.clone()).unwrap_or_default();
                format!("{} 第 {line} 行 `{snippet}`：{}", world.name, e.message)
            }
            None => e.message.to_string(),
        })
        .collect();
    RenderError::Pdf(format!("排版模板出错（{}）", detail.join("；")))
}

/// The smallest typst world: one source (the template), the fonts, a fixed date.
struct NoticeWorld {
    /// The template's file name, for messages.
    name: &'static str,
    library: LazyHash<Library>,
    fonts: Arc<FontSet>,
    main: Source,
    today: Option<Datetime>,
}

impl NoticeWorld {
    fn new(
        name: &'static str,
        template: &str,
        inputs: typst::foundations::Dict,
        fonts: &Fonts,
        date: Option<chrono::NaiveDate>,
    ) -> Result<Self, RenderError> {
        let library = Library::builder().with_inputs(inputs).build();
        let path = VirtualPath::new(format!("/{name}"))
            .map_err(|e| RenderError::Pdf(format!("排版模板路径无效：{e:?}")))?;
        let id = RootedPath::new(VirtualRoot::Project, path).intern();
        let today = date.and_then(|d| {
            Datetime::from_ymd(
                d.year(),
                u8::try_from(d.month()).ok()?,
                u8::try_from(d.day()).ok()?,
            )
        });
        Ok(NoticeWorld {
            name,
            library: LazyHash::new(library),
            fonts: fonts.inner.clone(),
            main: Source::new(id, template.to_string()),
            today,
        })
    }
}

impl World for NoticeWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_past_the_page_limit_is_refused_naming_it() {
        let notice = seed();
        let view = NoticeView::new(&notice);
        let fonts = Fonts::default();
        let world = NoticeWorld::new(
            "notice.typ",
            TEMPLATE,
            data::inputs(&view, &fonts),
            &fonts,
            notice.document.date,
        )
        .unwrap();
        let err = compile_limited(&world, "test", 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PDF 将有 28 页，超过每份 PDF 最多 10 页的限制。请拆分通报或缩短单元格内容后重试。"
        );
        assert!(compile_limited(&world, "test", 28).is_ok());
    }

    #[test]
    fn a_notice_past_the_task_limit_is_not_rendered() {
        let mut notice = seed();
        let task = notice.tasks[0].clone();
        notice.tasks = vec![task; duban_domain::limits::NOTICE_TASKS + 1];
        for format in crate::OutputFormat::ALL {
            let err = crate::render(&notice, format, &Default::default()).unwrap_err();
            assert!(
                err.to_string().contains("超过每份通报最多 10000 项的限制"),
                "{format}: {err}"
            );
        }
    }
    use typst::layout::{Frame, FrameItem};

    fn seed() -> Notice {
        let bytes = include_bytes!("../../../../data/seed/000_5b3cae3e93885f9f.txt");
        duban_formats::import(bytes, None, &Default::default()).expect("seed imports")
    }

    /// Every glyph typst placed, with its character, in reading order.
    fn glyphs(frame: &Frame, out: &mut Vec<(char, u16, String)>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => glyphs(&group.frame, out),
                FrameItem::Text(text) => {
                    for g in &text.glyphs {
                        let c = text.text[g.range()].chars().next().unwrap_or(' ');
                        out.push((c, g.id, text.font.info().family.clone()));
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn a_supervision_sheet_is_one_page_with_every_row() {
        let sheet = crate::sheet::tests::sheet();
        let fonts = Fonts::default();
        let world = NoticeWorld::new(
            "sheet.typ",
            SHEET_TEMPLATE,
            data::sheet_inputs(&sheet, &fonts),
            &fonts,
            Some(sheet.date),
        )
        .unwrap();
        let document = typst::compile::<PagedDocument>(&world).output.unwrap();
        assert_eq!(document.pages().len(), 1);
        let mut placed = Vec::new();
        glyphs(&document.pages()[0].frame, &mut placed);
        let text: String = placed.iter().map(|(c, _, _)| *c).collect();
        for (label, _) in crate::sheet::rows(&sheet) {
            assert!(text.contains(label), "{label} not printed: {text}");
        }
        assert!(text.contains("变电站<改造>"), "text stays text: {text}");
        assert!(
            placed
                .iter()
                .all(|(c, id, _)| *id != 0 || c.is_whitespace()),
            "tofu"
        );
        let pdf = render_sheet_pdf(&sheet, &fonts).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert_eq!(
            pdf,
            render_sheet_pdf(&sheet, &fonts).unwrap(),
            "deterministic"
        );
    }

    #[test]
    fn every_seed_character_has_a_glyph() {
        let notice = seed();
        let fonts = Fonts::default();
        assert_eq!(missing_glyphs(&notice, &fonts), Vec::<char>::new());
        let view = NoticeView::new(&notice);
        let world = NoticeWorld::new(
            "notice.typ",
            TEMPLATE,
            data::inputs(&view, &fonts),
            &fonts,
            notice.document.date,
        )
        .unwrap();
        let document = typst::compile::<PagedDocument>(&world).output.unwrap();
        let mut placed = Vec::new();
        for page in document.pages() {
            glyphs(&page.frame, &mut placed);
        }
        let tofu: String = placed
            .iter()
            .filter(|(c, id, _)| *id == 0 && !c.is_whitespace())
            .map(|(c, _, _)| *c)
            .collect();
        assert_eq!(tofu, "", "characters set as .notdef");
        for c in ['㎡', '濛', '①', '⑤', '“', '”', '〔', '〕', '—'] {
            assert!(placed.iter().any(|(p, _, _)| *p == c), "{c} not placed");
        }
        // Body in the 仿宋 stand-in, the mark and title in the 小标宋 stand-in, the
        // table header in the 黑体 stand-in.
        let families: std::collections::BTreeSet<&str> =
            placed.iter().map(|(_, _, f)| f.as_str()).collect();
        assert!(families.contains("Noto Serif CJK SC"), "{families:?}");
        assert!(families.contains("Noto Sans CJK SC"), "{families:?}");
    }

    #[test]
    fn characters_outside_the_fonts_are_reported() {
        let mut notice = seed();
        notice.document.title = Some("关于𠀀字的通知".into());
        assert_eq!(missing_glyphs(&notice, &Fonts::default()), vec!['𠀀']);
    }
}

//! The end of the notice's text: 附件说明, 署名, 成文日期 and 附注, and where they sit.
//!
//! The notice is printed and sealed, so the 署名 and 成文日期 follow GB/T 9704 §7.3.5.1:
//! the date 右空四字, the 署名 centred above it, room left for the seal. The page
//! carrying the 成文日期 must also carry body text (a page with only the signature is
//! never issued), and the first page must show body text (§7.3.3); when the block does
//! not fit, §7.3.5.5 adjusts the spacing. The layout decides here, once for every
//! renderer, which of these the notice gets:
//!
//! 1. the block fits under the body on the body's last page: standard spacing;
//! 2. it fits once the blank lines above the 附件说明 and the 署名 are narrowed by half a
//!    line each: tightened;
//! 3. it does not, and moving a body line down would leave that page without body
//!    text (a first page holding one body line): the block's spacing and line pitch
//!    are compressed until it fits;
//! 4. otherwise the body's last line goes to the next page with the block.
//!
//! The renderers keep the body's last line with the block in every case (DOCX by
//! keep-with-next, the PDF by setting that line and the block as one unbreakable
//! block), so that case 4 needs nothing more, and an estimate that is off by a line
//! still never leaves the signature alone on a page. The estimate follows the body on
//! the 22 × 28 grid from the figures the PDF template uses.

use duban_domain::SignatureLayout;

use super::{
    BodyParagraph, CHARS_PER_LINE, ISSUER_MARK_DROP_MM, LINE_PITCH_PT, RED_RULE_GAP_MM,
    RED_RULE_PT, SIZE_2, SIZE_3, SIZE_CHUHAO, TEXT_HEIGHT_MM, TITLE_LEADING_EM, is_half_width,
    mm_to_pt, text_width_em,
};

/// 成文日期 右空四字 (§7.3.5.1).
const DATE_RIGHT_EM: f64 = 4.0;
/// A 署名 longer than the date, centred above it, keeps at least this much white at
/// the right edge of the 版心, 字; a longer one moves left, and the date with it.
const SIGNATORY_MIN_RIGHT_EM: f64 = 1.0;

/// Blank lines above the 附件说明: 正文下空一行 (§7.3.4).
const ATTACHMENT_GAP_LINES: f64 = 1.0;
/// Blank lines above the 署名: a 4.2 cm seal spans about four lines, with the 署名 and
/// the date in its lower half and its top within one line of the text (§7.3.5.1).
const SEAL_GAP_LINES: f64 = 2.0;
/// Without a seal (§7.3.5.2): 正文（或附件说明）下空一行.
const UNSEALED_GAP_LINES: f64 = 1.0;
/// Without a seal: 署名 右空二字, and the date's first character two 字 right of the
/// 署名's; a longer date 右空二字.
const UNSEALED_RIGHT_EM: f64 = 2.0;
const UNSEALED_DATE_SHIFT_EM: f64 = 2.0;
/// How much tightening takes off each of those gaps, lines.
const TIGHTENING_LINES: f64 = 0.5;
/// Compression scales the block's white space (gaps and leading) down to this share of
/// the tightened spacing at most: below it the seal would press on the text.
const MOST_COMPRESSION: f64 = 0.5;
/// Compressed spacing leaves this much of the page free, pt: the estimate of where the
/// body ends is good to a fraction of a point, and nothing else keeps the block on
/// the page then.
const COMPRESSION_SLACK_PT: f64 = 3.0;

/// A 附件说明 at most this much longer than its line, 字, is condensed onto it rather
/// than leave a character or two alone on a second line (调整字距, §7.3.5.5).
const ATTACHMENT_SQUEEZE_MAX_EM: f64 = 1.5;
/// A condensed 附件说明 ends this far short of the right edge, 字, so that rounding
/// in a renderer never wraps it after all.
const ATTACHMENT_SQUEEZE_SLACK_EM: f64 = 0.25;
/// 附件说明: 左空二字, and wrapped lines under the name after `附件：`.
const ATTACHMENT_INDENT_EM: f64 = 2.0;
const ATTACHMENT_HANG_EM: f64 = 3.0;

/// Right indents, in 字 (ems of the 3号 body), of the 署名 line and the 成文日期 line of
/// a sealed notice (§7.3.5.1): the date 右空四字, the 署名 centred above it.
///
/// `泉州市鲤城区人民政府办公室` (13) over `2020年10月15日` (7: digits are half-width):
/// date right indent 4, 署名 right indent 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignaturePlacement {
    pub signatory_right_em: f64,
    pub date_right_em: f64,
}

impl SignaturePlacement {
    /// The sealed placement (§7.3.5.1).
    pub fn new(signatory: &str, date: &str) -> Self {
        Self::for_layout(signatory, date, SignatureLayout::Sealed)
    }

    pub fn for_layout(signatory: &str, date: &str, layout: SignatureLayout) -> Self {
        let signatory = text_width_em(signatory);
        let date = text_width_em(date);
        if layout == SignatureLayout::Unsealed {
            // The 署名's first character, as a distance from the right edge.
            let date_right = UNSEALED_RIGHT_EM + signatory - UNSEALED_DATE_SHIFT_EM - date;
            if date_right >= UNSEALED_RIGHT_EM {
                return SignaturePlacement {
                    signatory_right_em: UNSEALED_RIGHT_EM,
                    date_right_em: date_right,
                };
            }
            return SignaturePlacement {
                signatory_right_em: UNSEALED_RIGHT_EM + date + UNSEALED_DATE_SHIFT_EM - signatory,
                date_right_em: UNSEALED_RIGHT_EM,
            };
        }
        // The common centre line, as a distance from the right edge.
        let centre = (DATE_RIGHT_EM + date / 2.0).max(SIGNATORY_MIN_RIGHT_EM + signatory / 2.0);
        SignaturePlacement {
            signatory_right_em: centre - signatory / 2.0,
            date_right_em: centre - date / 2.0,
        }
    }
}

/// How the closing block fits, as the layout estimated it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosingFit {
    /// Under the body on the body's last page, with the standard spacing.
    Fits,
    /// There too, once the blank lines above the 附件说明 and the 署名 are narrowed.
    Tightened,
    /// There too, with its spacing and line pitch compressed: moving a body line down
    /// would have left that page without body text.
    Compressed,
    /// Not there: the body's last line goes to the next page with the block.
    CarriesLastLine,
}

/// The closing block's vertical spacing, decided once for every renderer. Distances
/// run from the top of one line's 3号 box to the top of the next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closing {
    /// From the body's last line to the 附件说明's first, pt (standard: two pitches,
    /// one blank line between).
    pub attachment_drop_pt: f64,
    /// From the line above (the 附件说明's last, or the body's last) to the 署名, pt
    /// (standard: three pitches, room for the seal).
    pub signature_drop_pt: f64,
    /// Between the block's own lines (the 附件说明's, 署名, 成文日期, 附注), pt.
    pub line_pitch_pt: f64,
    /// Change of the 附件说明's character pitch, 字 per character: negative when a name
    /// slightly too long for its line is condensed onto it, else 0.
    pub attachment_tracking_em: f64,
    /// Where the body's last line starts, in characters of the last paragraph's heading
    /// and text, as a word processor breaks it ([`last_line_start`]). The DOCX keeps
    /// that line with the block as a paragraph of its own, since LibreOffice keeps a
    /// whole paragraph with the next, not only its last line (the PDF measures it).
    pub last_line_from: usize,
    pub fit: ClosingFit,
}

/// What of the notice's text the closing block follows: the parts that decide where
/// on its page the body ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextAbove<'a> {
    pub has_issuer_mark: bool,
    pub has_doc_number: bool,
    pub title_lines: usize,
    pub recipients: Option<&'a str>,
    pub body: &'a [BodyParagraph],
}

/// What the closing block holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct ClosingText<'a> {
    pub attachment_note: Option<&'a str>,
    /// Whether there is a 署名 line and a 成文日期 line.
    pub signatory: bool,
    pub date: bool,
    pub note: bool,
    pub layout: SignatureLayout,
}

impl Closing {
    pub(super) fn new(above: &TextAbove<'_>, closing: &ClosingText<'_>) -> Self {
        let (attachment_lines, attachment_tracking_em) = closing
            .attachment_note
            .map_or((0, 0.0), attachment_note_fit);
        let shape = Shape {
            attachment_tracking_em,
            last_line_from: above.body.last().map_or(0, last_line_start),
            signature_gap_lines: match closing.layout {
                SignatureLayout::Sealed => SEAL_GAP_LINES,
                SignatureLayout::Unsealed => UNSEALED_GAP_LINES,
            },
        };
        let mut flow = Flow::after_head(above);
        if let Some(recipients) = above.recipients {
            flow.paragraph(grid_lines(text_width_em(recipients)));
        }
        flow.body_lines = 0;
        for p in above.body {
            flow.paragraph(body_paragraph_lines(p));
        }
        let signature_lines = u32::from(closing.signatory) + u32::from(closing.date);
        let block = |spacing: Closing| -> f64 {
            // From the top of the body's last line to the bottom of the block.
            let p = spacing.line_pitch_pt;
            let mut height = SIZE_3;
            if attachment_lines > 0 {
                height += spacing.attachment_drop_pt + f64::from(attachment_lines - 1) * p;
            }
            if signature_lines > 0 {
                height += spacing.signature_drop_pt + f64::from(signature_lines - 1) * p;
            }
            if closing.note {
                height += if attachment_lines + signature_lines > 0 {
                    p
                } else {
                    LINE_PITCH_PT
                };
            }
            height
        };
        // Room from the top of the body's last line to the foot of the 版心.
        let room = page_height_pt() - (flow.y - LINE_PITCH_PT);
        let standard = Closing::spaced(1.0, 0.0, shape, ClosingFit::Fits);
        let tightened = Closing::spaced(1.0, TIGHTENING_LINES, shape, ClosingFit::Tightened);
        let fits = |spacing: &Closing| block(*spacing) <= room + EPSILON;
        if fits(&standard) {
            return standard;
        }
        if fits(&tightened) {
            return tightened;
        }
        if flow.body_lines <= 1 && !above.body.is_empty() {
            // The block's white space grows linearly with the scale: solve for it.
            let at = |scale: f64| {
                block(Closing::spaced(
                    scale,
                    TIGHTENING_LINES,
                    shape,
                    ClosingFit::Compressed,
                ))
            };
            let (full, none) = (at(1.0), at(0.0));
            let scale = (room - COMPRESSION_SLACK_PT - none) / (full - none);
            if scale >= MOST_COMPRESSION {
                return Closing::spaced(scale, TIGHTENING_LINES, shape, ClosingFit::Compressed);
            }
        }
        Closing {
            fit: ClosingFit::CarriesLastLine,
            ..standard
        }
    }

    /// The block's spacing with each gap `tightening` lines narrower than the
    /// standard's, and all its white space (what is not a 3号 box) scaled by `scale`.
    fn spaced(scale: f64, tightening: f64, shape: Shape, fit: ClosingFit) -> Self {
        let Shape {
            attachment_tracking_em,
            last_line_from,
            signature_gap_lines,
        } = shape;
        let drop =
            |blank_lines: f64| SIZE_3 + scale * ((1.0 + blank_lines) * LINE_PITCH_PT - SIZE_3);
        Closing {
            attachment_drop_pt: drop(ATTACHMENT_GAP_LINES - tightening),
            signature_drop_pt: drop(signature_gap_lines - tightening),
            line_pitch_pt: drop(0.0),
            attachment_tracking_em,
            last_line_from,
            fit,
        }
    }
}

const EPSILON: f64 = 1e-6;

/// What the spacing keeps whatever its scale.
#[derive(Debug, Clone, Copy)]
struct Shape {
    attachment_tracking_em: f64,
    last_line_from: usize,
    /// Blank lines above the 署名 before tightening.
    signature_gap_lines: f64,
}

fn page_height_pt() -> f64 {
    mm_to_pt(TEXT_HEIGHT_MM)
}

/// Lines of `em` 字 of text on the 28-字 grid (at least one).
fn grid_lines(em: f64) -> u32 {
    ((em - EPSILON) / f64::from(CHARS_PER_LINE)).ceil().max(1.0) as u32
}

/// A body paragraph's lines: its first line indented two 字.
fn body_paragraph_lines(p: &BodyParagraph) -> u32 {
    grid_lines(2.0 + text_width_em(&p.heading) + text_width_em(&p.text))
}

/// The 附件说明's lines, and how much to condense it (字 per character) when a name
/// just too long for one line is kept on it.
fn attachment_note_fit(note: &str) -> (u32, f64) {
    let line = f64::from(CHARS_PER_LINE);
    let room = line - ATTACHMENT_INDENT_EM;
    let width = text_width_em(note);
    if width <= room + EPSILON {
        return (1, 0.0);
    }
    if width <= room + ATTACHMENT_SQUEEZE_MAX_EM {
        let characters = note.chars().count() as f64;
        return (1, (room - ATTACHMENT_SQUEEZE_SLACK_EM - width) / characters);
    }
    let wrapped = line - ATTACHMENT_INDENT_EM - ATTACHMENT_HANG_EM;
    let more = ((width - room) / wrapped).ceil() as u32;
    (1 + more, 0.0)
}

/// Where the last line of a body paragraph starts, in characters of its heading and
/// text, when a word processor breaks it into lines of 28 字 with the first indented
/// two. Modelled on LibreOffice, the wider of the two: full-width characters 1 字,
/// others ½, and about ⅕ 字 where a Chinese character meets a digit, a Latin letter or
/// ① (LibreOffice spaces them; Word, told not to by `w:autoSpaceDN`, does not); a run
/// of Latin letters and digits is not split; 、。，and the like may hang past the
/// line's end (`w:overflowPunct`, on by default) unless they follow such a run; a
/// closing bracket or quote never starts a line
/// and an opening one never ends it. Word's lines hold as much or a little more, so
/// there the split comes a little early, which the DOCX hides by justifying the
/// lines that stay to the full width.
pub fn last_line_start(p: &BodyParagraph) -> usize {
    let chars: Vec<char> = p.heading.chars().chain(p.text.chars()).collect();
    let line = f64::from(CHARS_PER_LINE);
    // The width of `chars[i]` on a line that starts at `start`.
    let width = |i: usize, start: usize| {
        let (c, before) = (chars[i], i.checked_sub(1).map(|b| chars[b]));
        let meets = i > start
            && before.is_some_and(|b| (is_han(b) && is_western(c)) || (is_western(b) && is_han(c)));
        (if is_half_width(c) { 0.5 } else { 1.0 }) + if meets { AUTOSPACE_EM } else { 0.0 }
    };
    let mut start = 0;
    let mut room = line - 2.0;
    let mut used = 0.0;
    let mut i = 0;
    while i < chars.len() {
        let w = width(i, start);
        if used + w <= room + EPSILON {
            used += w;
            i += 1;
            continue;
        }
        if HANGING.contains(chars[i]) && i > 0 && !is_word_char(chars[i - 1]) {
            // Hangs past the end of this line.
            i += 1;
        } else {
            // Break before `i`, moving back over what may not end a line or be
            // parted from `chars[i]`.
            let mut at = i;
            while at > start + 1
                && (OPENING.contains(chars[at - 1])
                    || CLOSING.contains(chars[at])
                    || HANGING.contains(chars[at])
                    || (is_word_char(chars[at - 1]) && is_word_char(chars[at])))
            {
                at -= 1;
            }
            i = at;
        }
        start = i;
        room = line;
        used = 0.0;
    }
    start
}

/// What LibreOffice sets in the Latin face and spaces from Chinese: digits, Latin
/// letters, and ①…⑳ (which the Latin fonts' fallback draws).
fn is_western(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{2460}'..='\u{2473}').contains(&c)
}

/// A Chinese character (not punctuation), which LibreOffice spaces from digits.
fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// LibreOffice's space between Chinese and digits or Latin letters, 字 (3.3 pt
/// measured on a 15.75 pt pitch).
const AUTOSPACE_EM: f64 = 0.21;

/// Punctuation that may hang past the end of a line.
const HANGING: &str = "，。、．,.";
/// Punctuation that never starts a line (nor does [`HANGING`]).
const CLOSING: &str = "）》”’〕】」』；：？！…%％)]";
/// Punctuation that never ends a line.
const OPENING: &str = "（《“‘〔【「『([";

/// Part of a Latin word or a number, which a line break does not split.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '%' | '-' | '+')
}

/// Where the next line of text goes: pt below the top of the 版心 of the current page.
struct Flow {
    y: f64,
    /// Lines set on the current page (since the count was last reset).
    body_lines: u32,
}

impl Flow {
    /// Below the 版头 and the title on page 1, as the PDF template sets them: the
    /// 发文机关标志 35 mm down, the 发文字号 two lines under it, the red rule 4 mm under
    /// that, two lines, the title's lines (2号, half a line of 2号 apart), one line.
    fn after_head(above: &TextAbove<'_>) -> Self {
        let pitch = LINE_PITCH_PT;
        // Paragraphs and blocks are one leading apart, so that lines stay on the grid.
        let lead = pitch - SIZE_3;
        let mut y = 0.0;
        if above.has_issuer_mark {
            y += mm_to_pt(ISSUER_MARK_DROP_MM) + SIZE_CHUHAO;
        }
        if above.has_doc_number {
            if above.has_issuer_mark {
                y += 2.0 * pitch + lead;
            }
            y += SIZE_3;
        }
        if above.has_issuer_mark || above.has_doc_number {
            y += mm_to_pt(RED_RULE_GAP_MM) + RED_RULE_PT + 2.0 * pitch + lead;
        }
        if above.title_lines > 0 {
            let n = above.title_lines as f64;
            y += n * SIZE_2 + (n - 1.0) * TITLE_LEADING_EM * SIZE_2 + lead + pitch;
        }
        Flow { y, body_lines: 0 }
    }

    /// Lines whose 3号 box still fits on the current page.
    fn lines_left(&self) -> u32 {
        let room = page_height_pt() - SIZE_3 - self.y;
        if room < -EPSILON {
            0
        } else {
            ((room + EPSILON) / LINE_PITCH_PT).floor() as u32 + 1
        }
    }

    /// Sets a paragraph of `lines` lines, breaking pages as typst does with its default
    /// widow and orphan prevention: never one line of a paragraph alone at the foot or
    /// the head of a page, and a three-line paragraph not split at all.
    fn paragraph(&mut self, lines: u32) {
        let mut rest = lines;
        loop {
            let left = self.lines_left();
            if rest <= left {
                self.y += f64::from(rest) * LINE_PITCH_PT;
                self.body_lines += rest;
                return;
            }
            let first_part = rest == lines;
            let mut here = left;
            if lines >= 4 && rest - here == 1 {
                here -= 1;
            }
            if first_part && (here < 2 || lines == 3) {
                here = 0;
            }
            if here == 0 && self.y <= EPSILON {
                // Taller than a page from its top: it has to break somewhere.
                here = left.max(1);
            }
            rest -= here.min(rest);
            self.y = 0.0;
            self.body_lines = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_signature() {
        let s = SignaturePlacement::new("泉州市鲤城区人民政府办公室", "2020年10月15日");
        assert_eq!(s.date_right_em, 4.0);
        assert_eq!(s.signatory_right_em, 1.0);
        // A short 署名 is centred over the date.
        let short = SignaturePlacement::new("区政府", "2020年10月15日");
        assert_eq!(short.date_right_em, 4.0);
        assert_eq!(short.signatory_right_em, 6.0);
        // A long one keeps one 字 at the edge; the date stays centred under it.
        let long = SignaturePlacement::new(&"办".repeat(21), "2020年10月15日");
        assert_eq!(long.signatory_right_em, 1.0);
        assert_eq!(long.date_right_em, 8.0);
    }

    #[test]
    fn attachment_note_condensed_or_wrapped() {
        // The seed's: 27 字 after 左空二字 on a 26-字 line: condensed, not wrapped.
        let (lines, tracking) =
            attachment_note_fit("附件：黄区长在区政府第一次全体会上的讲话部署落实情况表");
        assert_eq!(lines, 1);
        assert!((-0.05..-0.04).contains(&tracking), "{tracking}");
        assert_eq!(attachment_note_fit("附件：督查情况表"), (1, 0.0));
        // Far too long: wrapped under the name, 26 字 then 23 字 a line.
        let long = format!("附件：{}", "表".repeat(60));
        assert_eq!(attachment_note_fit(&long), (3, 0.0));
    }

    #[test]
    fn widows_and_orphans_move_as_in_typst() {
        let mut flow = Flow {
            y: page_height_pt() - SIZE_3 - LINE_PITCH_PT,
            body_lines: 0,
        };
        // Two lines left: a 3-line paragraph goes whole to the next page.
        flow.paragraph(3);
        assert!((flow.y - 3.0 * LINE_PITCH_PT).abs() < 1e-9);
        // One line left: a 4-line paragraph does not leave its first line alone.
        let mut flow = Flow {
            y: page_height_pt() - SIZE_3,
            body_lines: 0,
        };
        flow.paragraph(4);
        assert!((flow.y - 4.0 * LINE_PITCH_PT).abs() < 1e-9);
        // Four lines left of a 5-line paragraph: three stay, two go.
        let mut flow = Flow {
            y: page_height_pt() - SIZE_3 - 3.0 * LINE_PITCH_PT,
            body_lines: 0,
        };
        flow.paragraph(5);
        assert!((flow.y - 2.0 * LINE_PITCH_PT).abs() < 1e-9);
    }
}

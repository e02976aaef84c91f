//! A task's 落实情况 cell, made from the round's accepted reports: one unit's report as
//! it is; several each after its unit's bold label (`**区住建局：**…`), in one paragraph
//! when each is one paragraph (as the seed's task 20 is written), else each unit's from
//! a new paragraph. Reports taken from an imported notice already carry their labels
//! as the cell wrote them and are joined verbatim, each continuing the paragraph it
//! was cut from or not, so the cell comes back exactly as imported.

use crate::rich_text::{Paragraph, RichText, Run};

/// One piece of a cell: a unit's accepted report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellPiece<'a> {
    /// The unit's name, for its label.
    pub unit: &'a str,
    pub text: &'a RichText,
    /// Joined as it is, without a label (a slice of an imported cell).
    pub verbatim: bool,
    /// For a verbatim piece: it was cut from the middle of a paragraph, which it
    /// continues.
    pub continues_paragraph: bool,
}

/// The cell of a task from its pieces in order; `None` without any text.
pub fn compose_cell(pieces: &[CellPiece]) -> Option<RichText> {
    let pieces: Vec<&CellPiece> = pieces.iter().filter(|p| !p.text.is_empty()).collect();
    let label = pieces.len() > 1;
    let one_paragraph_each = pieces.iter().all(|p| p.text.paragraphs.len() == 1);
    let mut out: Option<RichText> = None;
    for piece in pieces {
        let mut text = piece.text.clone();
        if label
            && !piece.verbatim
            && !starts_with_label(&text, piece.unit)
            && let Some(first) = text.paragraphs.first_mut()
        {
            first.runs.insert(
                0,
                Run {
                    text: format!("{}：", piece.unit),
                    bold: true,
                },
            );
        }
        let inline = if piece.verbatim {
            piece.continues_paragraph
        } else {
            one_paragraph_each
        };
        out = Some(match out {
            None => text,
            Some(before) if inline => join_inline(before, text),
            Some(mut before) => {
                before.paragraphs.extend(text.paragraphs);
                before
            }
        });
    }
    out.map(normalised)
}

/// Whether the report already opens with its unit's name as a label (`区住建局：…`).
fn starts_with_label(text: &RichText, unit: &str) -> bool {
    text.paragraphs.first().is_some_and(|p| {
        let t = p.text();
        t.strip_prefix(unit)
            .is_some_and(|rest| rest.starts_with(['：', ':']))
    })
}

/// `after` continues `before`'s last paragraph: the two meet in one paragraph, and the
/// rest of `after`'s paragraphs follow.
pub fn join_inline(mut before: RichText, after: RichText) -> RichText {
    let mut rest = after.paragraphs.into_iter();
    if let Some(first) = rest.next() {
        match before.paragraphs.last_mut() {
            Some(last) => last.runs.extend(first.runs),
            None => before.paragraphs.push(first),
        }
    }
    before.paragraphs.extend(rest);
    before
}

/// Runs of one style merged, as every RichText made by the importers is.
fn normalised(text: RichText) -> RichText {
    let mut out = RichText::default();
    for Paragraph { runs } in text.paragraphs {
        out.push_paragraph(runs);
    }
    out
}

/// Cuts a cell at byte offsets of its plain text (`RichText::plain_text`, paragraphs
/// joined by `\n`): the pieces between consecutive offsets, in order, each with
/// whether it continues a paragraph (the cut was inside one). A cut inside a paragraph
/// leaves the paragraph's two halves in the two pieces; [`compose_cell`] of the pieces
/// as verbatim gives the cell back.
pub fn split_at(text: &RichText, cuts: &[usize]) -> Vec<(RichText, bool)> {
    let mut pieces = vec![RichText::default()];
    let mut continues = vec![false];
    let mut cuts = cuts.iter().copied().filter(|&c| c > 0).peekable();
    let mut at = 0usize;
    for (i, paragraph) in text.paragraphs.iter().enumerate() {
        if i > 0 {
            // The `\n` between paragraphs: a cut right after it starts the next piece
            // with a new paragraph; otherwise the paragraph is a new one in this piece.
            at += 1;
            while cuts.peek().is_some_and(|&c| c <= at) {
                cuts.next();
                pieces.push(RichText::default());
                continues.push(false);
            }
            if let Some(piece) = pieces.last_mut() {
                piece.paragraphs.push(Paragraph::default());
            }
        }
        for run in &paragraph.runs {
            let mut rest = run.text.as_str();
            let mut run_at = at;
            while let Some(&cut) = cuts.peek() {
                if cut >= run_at + rest.len() {
                    break;
                }
                let (head, tail) = rest.split_at(cut - run_at);
                push_run(&mut pieces, head, run.bold);
                cuts.next();
                pieces.push(RichText {
                    paragraphs: vec![Paragraph::default()],
                });
                continues.push(true);
                run_at = cut;
                rest = tail;
            }
            push_run(&mut pieces, rest, run.bold);
            at += run.text.len();
        }
        while cuts.peek().is_some_and(|&c| c <= at) {
            // A cut at the paragraph's end: the next paragraph starts a new piece.
            cuts.next();
            pieces.push(RichText::default());
            continues.push(false);
        }
    }
    pieces
        .into_iter()
        .map(|p| RichText {
            paragraphs: p
                .paragraphs
                .into_iter()
                .filter(|p| !p.runs.is_empty())
                .collect(),
        })
        .zip(continues)
        .collect()
}

fn push_run(pieces: &mut [RichText], text: &str, bold: bool) {
    if text.is_empty() {
        return;
    }
    if let Some(piece) = pieces.last_mut() {
        if piece.paragraphs.is_empty() {
            piece.paragraphs.push(Paragraph::default());
        }
        if let Some(p) = piece.paragraphs.last_mut() {
            p.runs.push(Run {
                text: text.to_string(),
                bold,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rich(paragraphs: &[&[(&str, bool)]]) -> RichText {
        let mut out = RichText::default();
        for p in paragraphs {
            out.push_paragraph(
                p.iter()
                    .map(|(t, b)| Run {
                        text: (*t).into(),
                        bold: *b,
                    })
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn one_report_is_the_cell_and_several_get_bold_labels_in_one_paragraph() {
        let a = RichText::plain("已完成方案编制。");
        let b = RichText::plain("实施68个老旧小区改造项目。");
        let one = compose_cell(&[CellPiece {
            unit: "区发改局",
            text: &a,
            verbatim: false,
            continues_paragraph: false,
        }]);
        assert_eq!(one, Some(a.clone()));
        let two = compose_cell(&[
            CellPiece {
                unit: "区发改局",
                text: &a,
                verbatim: false,
                continues_paragraph: false,
            },
            CellPiece {
                unit: "区住建局",
                text: &b,
                verbatim: false,
                continues_paragraph: false,
            },
        ])
        .unwrap();
        assert_eq!(
            two,
            rich(&[&[
                ("区发改局：", true),
                ("已完成方案编制。", false),
                ("区住建局：", true),
                ("实施68个老旧小区改造项目。", false),
            ]])
        );
        // A report that names itself is not labelled twice; empty ones are left out.
        let labelled = RichText::plain("区住建局：实施改造。");
        let empty = RichText::default();
        let cell = compose_cell(&[
            CellPiece {
                unit: "区住建局",
                text: &labelled,
                verbatim: false,
                continues_paragraph: false,
            },
            CellPiece {
                unit: "区财政局",
                text: &empty,
                verbatim: false,
                continues_paragraph: false,
            },
        ]);
        assert_eq!(cell, Some(labelled));
        assert_eq!(compose_cell(&[]), None);
    }

    #[test]
    fn a_cell_cut_and_joined_again_is_the_same_cell() {
        let cell = rich(&[
            &[
                ("区城管局：", true),
                ("调试桩机。", false),
                ("区发改局：", true),
                ("印发计划。", false),
            ],
            &[("区住建局：", true), ("实施改造。", false)],
            &[("第三段。", false)],
        ]);
        let text = cell.plain_text();
        let cuts: Vec<usize> = ["区发改局：", "区住建局："]
            .iter()
            .map(|l| text.find(l).unwrap())
            .collect();
        let pieces = split_at(&cell, &cuts);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0].0.plain_text(), "区城管局：调试桩机。");
        assert_eq!(pieces[1].0.plain_text(), "区发改局：印发计划。");
        assert_eq!(pieces[2].0.plain_text(), "区住建局：实施改造。\n第三段。");
        assert_eq!(
            pieces.iter().map(|p| p.1).collect::<Vec<_>>(),
            [false, true, false]
        );
        let verbatim = |pieces: &[(RichText, bool)]| -> Option<RichText> {
            let pieces: Vec<CellPiece> = pieces
                .iter()
                .map(|(text, continues)| CellPiece {
                    unit: "",
                    text,
                    verbatim: true,
                    continues_paragraph: *continues,
                })
                .collect();
            compose_cell(&pieces)
        };
        assert_eq!(verbatim(&pieces), Some(cell.clone()));
        // A cut in the middle of a run, and none at all.
        let cut = text.find("桩机").unwrap();
        assert_eq!(verbatim(&split_at(&cell, &[cut])), Some(cell.clone()));
        assert_eq!(split_at(&cell, &[]), vec![(cell, false)]);
    }
}

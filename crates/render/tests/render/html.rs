//! HTML output: one self-contained, accessible, escaped page.

use crate::common;

use duban_domain::{RichText, Run};
use duban_render::html::render_html;

fn html_of(notice: &duban_domain::Notice) -> String {
    String::from_utf8(render_html(notice).expect("renders")).expect("UTF-8")
}

/// The page's text: tags removed, entities decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let body = &html[html.find("<body>").expect("a body")..];
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn html_is_accessible_and_self_contained() {
    let html = html_of(&common::seed());
    std::fs::write(common::artifacts_dir().join("html-seed.html"), &html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>泉州市鲤城区人民政府办公室关于黄辉灿区长在区政府第一次全体会上的讲话部署落实情况的通报（泉鲤政办〔2020〕48号）</title>"));
    assert!(html.contains("<caption id=\"attachment-caption\">黄区长在区政府第一次全体会议上的讲话部署落实情况表</caption>"));
    assert_eq!(html.matches("<th scope=\"col\">").count(), 4);
    assert_eq!(html.matches("<th scope=\"row\">").count(), 35);
    assert_eq!(html.matches("<tr>").count(), 36);
    assert!(html.contains("<thead>") && html.contains("<tbody>"));
    assert!(html.contains("<time datetime=\"2020-10-15\">2020年10月15日</time>"));
    assert!(html.contains("@page {") && html.contains("size: A4;"));
    assert!(html.contains("@media print"));
    assert!(html.contains("thead { display: table-header-group; }"));
    // Nothing to load, nothing to run.
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "src=",
        "href=",
        "url(",
        "@import",
        "<link",
        "<iframe",
        "javascript:",
    ] {
        assert!(!lower.contains(bad), "page contains {bad}");
    }
}

#[test]
fn html_contains_every_cell_as_text() {
    let notice = common::seed();
    let html = html_of(&notice);
    common::assert_every_cell_in(&notice, &visible_text(&html));
    // Bold lead-ins as <strong>, paragraphs as <p>.
    for b in notice
        .tasks
        .iter()
        .filter_map(|t| t.progress.as_ref())
        .flat_map(|p| p.bold_runs())
    {
        assert!(html.contains(&format!("<strong>{b}</strong>")), "{b}");
    }
    assert!(html.contains("<td><p>"));
    for expected in [
        "泉州市鲤城区人民政府办公室文件",
        "泉鲤政办〔2020〕48号",
        "高新区管委会，各街道办事处，区直有关单位：",
        "附件：黄区长在区政府第一次全体会上的讲话部署落实情况表",
        "（此件主动公开）",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
}

#[test]
fn html_escapes_source_text() {
    let mut notice = common::seed();
    notice.document.title = Some("关于<b>督查</b>的通知".into());
    notice.tasks[0].content = RichText {
        paragraphs: vec![duban_domain::Paragraph {
            runs: vec![
                Run {
                    text: "<script>alert('x')</script>".into(),
                    bold: true,
                },
                Run {
                    text: " A&B \"引号\" <img src=x onerror=y>".into(),
                    bold: false,
                },
            ],
        }],
    };
    let html = html_of(&notice);
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>督查"));
    assert!(html.contains("<strong>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</strong>"));
    assert!(html.contains(" A&amp;B &quot;引号&quot; &lt;img src=x onerror=y&gt;"));
    assert!(html.contains("关于&lt;b&gt;督查&lt;/b&gt;的通知"));
}

#[test]
fn html_is_deterministic() {
    let notice = common::seed();
    assert_eq!(render_html(&notice).unwrap(), render_html(&notice).unwrap());
}

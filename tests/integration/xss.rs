//! Stored XSS stays inert (issue 12 §3): script and attribute-breaking payloads put in
//! through every way text gets into the store — a report's text, unit names and a
//! notice title (by import), an evidence file's name, a source's title and the
//! decomposition notice titled after it — come out of every page as escaped text, and
//! out of the DOCX, XLSX and PDF renderings only as text (escaped XML, no script).

use std::io::{Cursor, Read};
use std::process::Command;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::json;

use super::support::{App, SEED, Sandbox, Server};

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[
    ("sup", "supervisor", None),
    ("ldr", "leader", None),
    ("czj.lly", "reporter", Some("区财政局")),
    ("czj.fzr", "unit_head", Some("区财政局")),
];

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

/// Raw markup that must never reach a page: an executable tag or an attribute breakout.
const RAW: &[&str] = &[
    "<script>alert",
    "<img src=x",
    "onerror=alert(1)>",
    "\"><img",
    "区\">局",
    "<svg",
];

/// The seed with a new 文号, the payloads in its title, the first task's lead unit and
/// its progress text.
fn hostile_notice(sandbox: &Sandbox) -> std::path::PathBuf {
    let seed = std::fs::read_to_string(SEED).expect("seed");
    let mut text = seed
        .replace("泉鲤政办〔2020〕48号", "泉鲤政办〔2020〕49号")
        .replacen(
            "## 泉州市鲤城区人民政府办公室关于黄辉灿区长",
            &format!("## 泉州市鲤城区人民政府办公室关于{SCRIPT}黄辉灿区长"),
            1,
        )
        .replacen(
            "区发改局联合工信",
            &format!("{SCRIPT}{IMG}<svg onload=alert(1)>区发改局联合工信"),
            1,
        );
    let unit = text.find("\t区发改局\t").expect("task 1's lead unit");
    text.replace_range(unit..unit + "\t区发改局\t".len(), &format!("\t区{IMG}局\t"));
    sandbox.write("hostile.txt", text)
}

fn upload(app: &App, client: &Client, report: i64, filename: &str) -> (StatusCode, String) {
    let boundary = "----dubanXssBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    );
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = client
        .post(
            app.server
                .url(&format!("/api/reports/{report}/attachments")),
        )
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .expect("upload");
    let status = response.status();
    (status, response.text().unwrap_or_default())
}

fn bytes(app: &App, client: &Client, path: &str) -> Vec<u8> {
    let response = client.get(app.server.url(path)).send().expect("file");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().expect("bytes").to_vec()
}

/// Every XML part of an OOXML package, concatenated.
fn package_xml(data: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(data)).expect("a zip package");
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        if part.name().ends_with(".xml") || part.name().ends_with(".rels") {
            part.read_to_string(&mut all).expect("xml text");
        }
    }
    all
}

fn assert_inert_html(what: &str, html: &str) {
    for raw in RAW {
        assert!(
            !html.contains(raw),
            "{what}: raw {raw:?} in the page:\n{html}"
        );
    }
}

fn assert_inert_xml(what: &str, xml: &str) {
    for raw in RAW {
        assert!(!xml.contains(raw), "{what}: raw {raw:?} in the XML");
    }
    assert!(
        xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{what}: the title's payload is not there as text"
    );
}

#[test]
fn payloads_stay_text_in_pages_and_files() {
    let sandbox = Sandbox::seeded(ACCOUNTS);
    let notice = hostile_notice(&sandbox);
    sandbox.import(&notice).ok();
    let server = Server::start(&sandbox, &["serve"]);
    let app = App::from_server(sandbox, server);
    let (sup, czj) = (app.login("sup"), app.login("czj.lly"));

    // The notice as imported: title, unit and progress carry payloads.
    let (_, list) = app.get(&sup, "/api/documents");
    let doc = list
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["doc_number"] == "泉鲤政办〔2020〕49号")
        .and_then(|d| d["id"].as_i64())
        .unwrap_or_else(|| panic!("the hostile notice was not imported: {list}"));

    // A round on it: 区财政局 writes payloads into its report and uploads a file whose
    // name is one.
    let (status, round) = app.post(
        &sup,
        "/api/rounds",
        json!({"document": doc, "label": "1-10月", "due": "2099-12-31", "tasks": "1-3"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().expect("round id");
    let (_, reports) = app.get(&czj, &format!("/api/reports?round={round}"));
    let report = reports
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["unit"] == "区财政局")
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no report of 区财政局: {reports}"));
    let (status, body) = app.post(
        &czj,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "save_draft",
               "text": format!("{SCRIPT}\n**{IMG}**\n<a href=\"javascript:alert(1)\">点此</a>已完成")}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = upload(
        &app,
        &czj,
        report,
        "<script>alert(1)<script>'><img src=x onerror=alert(1)>.pdf",
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app.post(
        &czj,
        &format!("/api/reports/{report}/actions"),
        json!({"action": "submit"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.post(
        &app.login("czj.fzr"),
        &format!("/api/reports/{report}/actions"),
        json!({"action": "approve"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");

    // A source titled with a payload, and the decomposition notice titled after it.
    let (status, source) = app.post(
        &sup,
        "/api/sources",
        json!({"kind": "speech", "title": format!("区长讲话{SCRIPT}{IMG}"), "date": "2020-04-20",
               "leader": "区长", "meeting": format!("全体会议{IMG}"), "original": SCRIPT}),
    );
    assert_eq!(status, StatusCode::CREATED, "{source}");
    let source = source["summary"]["id"].as_i64().expect("source id");
    let (status, draft) = app.post(
        &sup,
        &format!("/api/sources/{source}/decompositions"),
        json!({"issuer": "泉州市鲤城区人民政府办公室"}),
    );
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let draft = draft["id"].as_i64().expect("draft id");
    let (status, added) = app.post(
        &sup,
        &format!("/api/decompositions/{draft}/tasks"),
        json!({"tasks": [{"content": format!("任务{SCRIPT}{IMG}"), "lead_units": ["区财政局"]}]}),
    );
    assert_eq!(status, StatusCode::CREATED, "{added}");

    // Every page that shows them escapes them.
    let pages = [
        (&sup, "/tasks".to_string()),
        (&sup, format!("/documents/{doc}/tasks/1")),
        (&sup, format!("/documents/{doc}/tasks/2")),
        (&sup, format!("/rounds/{round}")),
        (&sup, format!("/reports/{report}")),
        (&czj, format!("/reports/{report}")),
        (&czj, "/my".to_string()),
        (&sup, "/review".to_string()),
        (&sup, "/sources".to_string()),
        (&sup, format!("/sources/{source}")),
        (&sup, format!("/decompositions/{draft}")),
        (&sup, "/dashboard".to_string()),
        (&sup, "/warnings".to_string()),
        (&sup, format!("/documents/{doc}/file/html")),
    ];
    for (client, path) in &pages {
        let (status, html) = app.page(client, path);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_inert_html(path, &html);
    }
    // The payloads are shown as text, not merely dropped: a title and the source's
    // fields escaped, the unit name escaped; a report's text goes through the rich-text
    // sanitiser (tags dropped, the rest escaped) and a file name through the file-name
    // sanitiser (markup characters replaced).
    for (client, path, shown) in [
        (&sup, "/tasks".to_string(), "区&quot;&gt;局"),
        (&sup, format!("/documents/{doc}/tasks/1"), "区&quot;&gt;局"),
        (&sup, format!("/rounds/{round}"), "区&quot;&gt;局"),
        (&sup, format!("/sources/{source}"), "&lt;script&gt;alert(1)"),
        (
            &sup,
            format!("/decompositions/{draft}"),
            "&lt;script&gt;alert(1)",
        ),
        (
            &sup,
            format!("/documents/{doc}/file/html"),
            "&lt;script&gt;alert(1)",
        ),
        (
            &czj,
            format!("/reports/{report}"),
            "<strong>&quot;&gt;</strong>",
        ),
        (
            &czj,
            format!("/reports/{report}"),
            "_script_alert(1)_script_",
        ),
    ] {
        let (_, html) = app.page(client, &path);
        assert!(
            html.contains(shown),
            "{path} does not show {shown:?}:\n{html}"
        );
    }

    // The files: DOCX and XLSX carry the payloads only as escaped XML text.
    for path in [
        format!("/documents/{doc}/file/docx"),
        format!("/documents/{doc}/file/xlsx"),
        format!("/decompositions/{draft}/file/docx"),
        format!("/decompositions/{draft}/file/xlsx"),
    ] {
        let xml = package_xml(&bytes(&app, &sup, &path));
        assert_inert_xml(&path, &xml);
    }
    let table = package_xml(&bytes(&app, &sup, &format!("/rounds/{round}/table.xlsx")));
    for raw in RAW {
        assert!(!table.contains(raw), "round table: raw {raw:?}");
    }
    assert!(table.contains("&gt;局"), "round table");

    // The PDF: no script action, and the payload is there as plain text.
    for path in [
        format!("/documents/{doc}/file/pdf"),
        format!("/decompositions/{draft}/file/pdf"),
    ] {
        let pdf = bytes(&app, &sup, &path);
        assert!(pdf.starts_with(b"%PDF"), "{path}");
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            !raw.contains("/JavaScript") && !raw.contains("/JS ") && !raw.contains("/OpenAction"),
            "{path}"
        );
        let file = app.sandbox().path("out.pdf");
        std::fs::write(&file, &pdf).expect("write pdf");
        if let Ok(out) = Command::new("pdftotext").arg(&file).arg("-").output() {
            let text = String::from_utf8_lossy(&out.stdout).replace(['\n', ' '], "");
            assert!(text.contains("<script>alert(1)</script>"), "{path}: {text}");
        }
    }
}

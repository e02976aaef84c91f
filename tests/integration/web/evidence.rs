//! 佐证材料: uploads, downloads and removals follow the report's own rules.

use reqwest::StatusCode;
use serde_json::json;

use super::{ACCOUNTS, PDF};
use crate::integration::support::App;

#[test]
fn evidence_files_follow_the_report() {
    let app = App::start(ACCOUNTS);
    app.open_round();
    let fgj = app.login("fgj.lly");
    let czj = app.login("czj.lly");
    let sup = app.login("sup");
    let id = app.report_id(&fgj, 1, "区发改局");

    // The reporter uploads a PDF; it is listed with who and when.
    let (status, file) = app.upload_api(&fgj, id, "整改报告（终稿）.pdf", PDF);
    assert_eq!(status, StatusCode::CREATED, "{file}");
    assert_eq!(file["filename"], "整改报告（终稿）.pdf");
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["size"], PDF.len());
    assert_eq!(file["report"], id);
    assert!(file["uploaded_at"].is_string() && file["sha256"].is_string());
    let file_id = file["id"].as_i64().expect("id");
    let (status, listed) = app.get(&fgj, &format!("/api/reports/{id}/attachments"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed, json!([file.clone()]));
    assert_eq!(listed[0]["uploaded_by"], "fgj.lly");

    // While the unit works on it, its files stay inside the unit: the office and
    // leaders find nothing (they see them once the unit head has signed off, below).
    for user in ["sup", "ldr"] {
        let client = app.login(user);
        for path in [
            format!("/api/attachments/{file_id}"),
            format!("/attachments/{file_id}"),
        ] {
            let response = client.get(app.server.url(&path)).send().expect("download");
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{user} {path}");
        }
        let (_, listed) = app.get(&client, &format!("/api/reports/{id}/attachments"));
        assert_eq!(listed, json!([]), "{user}");
    }
    let head = app.login("fgj.fzr");
    let response = head
        .get(app.server.url(&format!("/api/attachments/{file_id}")))
        .send()
        .expect("download");
    assert_eq!(response.status(), StatusCode::OK);

    // Another unit's reporter: not found, whatever the route.
    let (status, body) = app.get(&czj, &format!("/api/attachments/{file_id}"));
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.get("filename").is_none());
    let response = czj
        .get(app.server.url(&format!("/attachments/{file_id}")))
        .send()
        .expect("page");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response.text().expect("html").contains("PDF-1.4"));
    assert_eq!(
        app.get(&czj, &format!("/api/reports/{id}/attachments")).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.upload_api(&czj, id, "篡改.pdf", PDF).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&czj, &format!("/api/attachments/{file_id}")).0,
        StatusCode::NOT_FOUND
    );
    // The office reads but does not add.
    assert_eq!(
        app.upload_api(&sup, id, "督查室.pdf", PDF).0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Kinds come from the content; an executable is refused with what to do instead.
    let (status, body) = app.upload_api(&fgj, id, "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"],
        "不支持的文件类型：setup.exe。可上传 PDF、图片（JPG/PNG）、Word（.docx）、\
         Excel（.xlsx）、OFD 或文本（.txt）文件"
    );
    let (status, body) = app.upload_api(&fgj, id, "伪装.pdf", b"MZ\x90\x00\x03\x00\x00\x00");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("内容不是PDF")),
        "{body}"
    );
    // A ZIP named .docx must hold a Word document.
    let (status, body) = app.upload_api(&fgj, id, "说明.docx", b"PK\x03\x04not really a zip");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Too large: just over the file limit, and over the request limit.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (status, body) = app.upload_api(&fgj, id, "大.pdf", &big);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("文件过大（10.1 MB），单个佐证材料不超过 10 MB")),
        "{body}"
    );
    big.resize(11 * 1024 * 1024, b' ');
    let (status, body) = app.upload_api(&fgj, id, "更大.pdf", &big);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("单个佐证材料不超过 10 MB")),
        "{body}"
    );

    // The page: the card lists the file and offers the form; a page upload redirects back.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    let response = app.upload(
        &fgj,
        &format!("/reports/{id}/attachments"),
        "现场照片.png",
        png,
    );
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("/reports/{id}#attachments").as_str()
    );
    let html = fgj
        .get(app.server.url(&format!("/reports/{id}")))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("佐证材料（2）")
            && html.contains("整改报告（终稿）.pdf")
            && html.contains("现场照片.png")
            && html.contains(&format!("href=\"/attachments/{file_id}\""))
            && html.contains("enctype=\"multipart/form-data\"")
            && html.contains("accept=\".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.ofd,.txt\"")
            && html.contains(&format!("/attachments/{file_id}/delete")),
        "{html}"
    );
    // A refused page upload shows the page again with the reason.
    let response = app.upload(
        &fgj,
        &format!("/reports/{id}/attachments"),
        "setup.exe",
        b"MZ\x90\x00",
    );
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().expect("html");
    assert!(
        html.contains("不支持的文件类型：setup.exe") && html.contains("佐证材料"),
        "{html}"
    );
    // The office's view of the page while the unit works: no files, nothing to change.
    let html = sup
        .get(app.server.url(&format!("/reports/{id}")))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(!html.contains("现场照片.png") && !html.contains("multipart/form-data"));
    assert!(!html.contains("/delete\""), "{html}");

    // Deleting through the page, then the API.
    let (_, listed) = app.get(&fgj, &format!("/api/reports/{id}/attachments"));
    let png_id = listed[1]["id"].as_i64().expect("id");
    let response = fgj
        .post(
            app.server
                .url(&format!("/reports/{id}/attachments/{png_id}/delete")),
        )
        .send()
        .expect("delete");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, extra) = app.upload_api(&fgj, id, "补充.txt", "补充说明。".as_bytes());
    assert_eq!(status, StatusCode::CREATED, "{extra}");
    assert_eq!(extra["content_type"], "text/plain; charset=utf-8");
    let extra_id = extra["id"].as_i64().expect("id");
    assert_eq!(
        app.delete(&fgj, &format!("/api/attachments/{extra_id}")).0,
        StatusCode::NO_CONTENT
    );
    let (_, listed) = app.get(&fgj, &format!("/api/reports/{id}/attachments"));
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    // Once submitted, the files go with the report: no more uploads or deletions.
    let (status, body) = app.post(
        &fgj,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "submit", "text": "已分解下达指标。"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.upload_api(&fgj, id, "晚到.pdf", PDF);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("待单位审核") && e.contains("退回")),
        "{body}"
    );
    assert_eq!(
        app.delete(&fgj, &format!("/api/attachments/{file_id}")).0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let html = fgj
        .get(app.server.url(&format!("/reports/{id}")))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(
        html.contains("整改报告（终稿）.pdf") && !html.contains("multipart/form-data"),
        "{html}"
    );

    // Signed off by the unit head, the files reach the office and leaders.
    let (status, body) = app.post(
        &head,
        &format!("/api/reports/{id}/actions"),
        json!({"action": "approve"}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    // The office downloads the same bytes, as an attachment with its Chinese name.
    for path in [
        format!("/api/attachments/{file_id}"),
        format!("/attachments/{file_id}"),
    ] {
        let response = sup.get(app.server.url(&path)).send().expect("download");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let disposition = headers["content-disposition"].to_str().expect("ascii");
        assert!(
            disposition.starts_with("attachment;")
                && disposition.contains(
                    "filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A\
                     %EF%BC%88%E7%BB%88%E7%A8%BF%EF%BC%89.pdf"
                ),
            "{disposition}"
        );
        assert_eq!(response.bytes().expect("bytes").as_ref(), PDF);
    }
    // A leader and the unit head read it too.
    for user in ["ldr", "fgj.fzr"] {
        let client = app.login(user);
        let response = client
            .get(app.server.url(&format!("/api/attachments/{file_id}")))
            .send()
            .expect("download");
        assert_eq!(response.status(), StatusCode::OK, "{user}");
    }

    let html = sup
        .get(app.server.url(&format!("/reports/{id}")))
        .send()
        .expect("page")
        .text()
        .expect("html");
    assert!(html.contains("整改报告（终稿）.pdf") && !html.contains("multipart/form-data"));
}

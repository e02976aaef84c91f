//! A body limit on every route, and Chinese 4xx answers for malformed, huge and deeply
//! nested JSON and forms (issue 12 §3).

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::Value;

use super::support::{App, Server};

const ACCOUNTS: &[(&str, &str, Option<&str>)] = &[("sup", "supervisor", None)];

fn send(client: &Client, url: String, content_type: &str, body: Vec<u8>) -> (StatusCode, String) {
    let request = || {
        client
            .post(url.clone())
            .header("Content-Type", content_type)
            .body(body.clone())
            .send()
    };
    // Once more on a fresh connection if the pooled one was the one a refused large
    // body closed.
    let response = request().or_else(|_| request()).expect("request");
    let status = response.status();
    (status, response.text().unwrap_or_default())
}

fn chinese_error(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let text = value["error"].as_str().unwrap_or_default().to_string();
    assert!(
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "not Chinese: {body}"
    );
    text
}

#[test]
fn bad_bodies_get_a_chinese_4xx_everywhere() {
    let app = App::start(ACCOUNTS);
    let anonymous = Server::client();
    let sup = app.login("sup");
    let json = "application/json";
    let huge = format!(
        "{{\"username\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(2 << 20)
    );
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (client, path) in [
        (&anonymous, "/api/login"),
        (&sup, "/api/rounds"),
        (&sup, "/api/sources"),
        (&sup, "/api/schedules"),
    ] {
        let url = app.server.url(path);
        // The server answers 413 as soon as the limit is passed and may close the
        // connection while the client is still sending: either way nothing is read past
        // the limit. When the answer arrives, it is the Chinese one.
        let response = client
            .post(url.clone())
            .header("Content-Type", json)
            .body(huge.clone())
            .send();
        if let Ok(response) = response {
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
            let body = response.text().unwrap_or_default();
            assert!(chinese_error(&body).contains("请求内容过大"), "{body}");
        }
        for bad in [
            &b"{\"username\": "[..],
            b"not json at all",
            nested.as_bytes(),
        ] {
            let (status, body) = send(client, url.clone(), json, bad.to_vec());
            assert!(status.is_client_error(), "{path}: {status} {body}");
            chinese_error(&body);
        }
        let (status, body) = send(client, url, "text/plain", b"{}".to_vec());
        assert!(status.is_client_error(), "{path}: {status}");
        chinese_error(&body);
    }
    // Pages: a form too large or malformed gets the Chinese error page.
    let (status, html) = send(
        &anonymous,
        app.server.url("/login"),
        "application/x-www-form-urlencoded",
        format!("username={}&password=x", "a".repeat(2 << 20)).into_bytes(),
    );
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        html.contains("请求内容过大") && html.contains("lang=\"zh-CN\""),
        "{html}"
    );
    let (status, html) = send(
        &anonymous,
        app.server.url("/login"),
        "application/x-www-form-urlencoded",
        b"password=only".to_vec(),
    );
    assert!(status.is_client_error());
    assert!(html.contains("请求内容无法解析"), "{html}");
    // The server is still there.
    let (status, _) = app.get(&sup, "/api/me");
    assert_eq!(status, StatusCode::OK);
}

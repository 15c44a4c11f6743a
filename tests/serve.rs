//! `gradwork serve`: the local page's HTTP interface, through real requests
//! to the binary — status codes, path traversal, oversized bodies, a slow
//! exercise, saving only when asked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradwork"))
        .args(["serve", dir.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Server { child, port }
}

/// One HTTP/1.0 request (no chunked answer to decode); the status, the headers and the body.
fn request(port: u16, method: &str, target: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // (a server may answer and close before reading an oversized body)
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response to {method} {target}"));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).expect("JSON")
}

/// A copy of the seed in a folder of its own, so saving touches no file of
/// the repository.
fn seed_copy(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gw-serve-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("more")).unwrap();
    for t in 1..=5 {
        std::fs::copy(
            format!("exercises/seed/task{t}.gw"),
            dir.join(format!("task{t}.gw")),
        )
        .unwrap();
    }
    std::fs::write(dir.join("more/extra.gw"), "show y = 2 * 3\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not an exercise").unwrap();
    dir
}

#[test]
fn the_page_its_assets_and_the_folder_are_served() {
    let dir = seed_copy("page");
    let s = serve(&dir);
    let (code, head, page) = request(s.port, "GET", "/", b"");
    assert_eq!(code, 200);
    assert!(head.contains("text/html"));
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("<textarea id=\"editor\"") && page.contains("/page.js"));
    // every asset from the binary, none from elsewhere
    assert!(!page.contains("http://") && !page.contains("https://"));
    for asset in ["/page.js", "/page.css"] {
        assert_eq!(request(s.port, "GET", asset, b"").0, 200, "{asset}");
    }
    let (code, _, files) = request(s.port, "GET", "/api/files", b"");
    assert_eq!(code, 200);
    assert_eq!(
        json(&files),
        serde_json::json!([
            "more/extra.gw",
            "task1.gw",
            "task2.gw",
            "task3.gw",
            "task4.gw",
            "task5.gw"
        ])
    );
    let (code, _, src) = request(s.port, "GET", "/api/file?path=task2.gw", b"");
    assert_eq!(code, 200);
    assert_eq!(src, std::fs::read(dir.join("task2.gw")).unwrap());
    assert_eq!(
        request(s.port, "GET", "/api/file?path=more%2Fextra.gw", b"").0,
        200
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_outside_the_listed_exercises_is_read_or_written() {
    let dir = seed_copy("paths");
    let s = serve(&dir);
    for target in [
        "/api/file?path=notes.txt",
        "/api/file?path=../Cargo.toml",
        "/api/file?path=..%2F..%2Fetc%2Fpasswd",
        "/api/file?path=%2Fetc%2Fpasswd",
        "/api/file?path=more/../task2.gw",
        "/api/file?path=./task2.gw",
        "/api/file",
        "/../../etc/passwd",
        "/page.js/../../Cargo.toml",
    ] {
        assert_eq!(request(s.port, "GET", target, b"").0, 404, "{target}");
    }
    for target in [
        "/api/save?path=notes.txt",
        "/api/save?path=../evil.gw",
        "/api/save?path=new.gw",
    ] {
        assert_eq!(
            request(s.port, "POST", target, b"x = 1\n").0,
            404,
            "{target}"
        );
    }
    assert!(!dir.join("new.gw").exists() && !dir.parent().unwrap().join("evil.gw").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "not an exercise"
    );
    assert_eq!(
        request(s.port, "PUT", "/api/save?path=task2.gw", b"x").0,
        405
    );
    assert_eq!(request(s.port, "DELETE", "/api/files", b"").0, 405);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_edit_is_solved_and_saved_only_when_asked() {
    let dir = seed_copy("solve");
    let s = serve(&dir);
    let before = std::fs::read_to_string(dir.join("task2.gw")).unwrap();
    // b = -0.1 edited to b = 0.1: f = (1 + 1 + 1.3)/3 + 0.1 = 1.2 and
    // (3.3 + 3.3 + 2.7)/3 + 0.1 = 3.2; L = 4·2² = 16 still (b cancels).
    let edited = before.replacen("vary(-0.1,", "vary(0.1,", 1);
    assert_ne!(edited, before);
    let (code, _, body) = request(
        s.port,
        "POST",
        "/api/solve?name=task2.gw",
        edited.as_bytes(),
    );
    assert_eq!(code, 200);
    let r = json(&body);
    assert_eq!(r["ok"], true);
    let answer = |id: &str| {
        r["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .map(|a| a["value"].as_str().unwrap().to_string())
    };
    assert_eq!(answer("f_p1").as_deref(), Some("[1.2, 1.2, 1.2, 1.2]"));
    assert_eq!(answer("f_p2").as_deref(), Some("[3.2, 3.2, 3.2, 3.2]"));
    assert_eq!(answer("L").as_deref(), Some("16"));
    let html = r["html"].as_str().unwrap();
    assert!(html.contains("<math") && html.contains("1.2"));
    // solving wrote nothing
    assert_eq!(
        std::fs::read_to_string(dir.join("task2.gw")).unwrap(),
        before
    );
    // a diagnostic has its line and column
    let (_, _, body) = request(s.port, "POST", "/api/solve", b"x = 1\ny = x +\n");
    let r = json(&body);
    assert_eq!(r["ok"], false);
    assert_eq!(r["errors"][0]["line"], 2);
    assert!(r["errors"][0]["column"].as_u64().unwrap() >= 1);
    // the key to download, named after the exercise
    let (code, head, key) = request(
        s.port,
        "POST",
        "/api/key?format=md&name=task2.gw",
        edited.as_bytes(),
    );
    assert_eq!(code, 200);
    assert!(
        head.contains("attachment; filename=\"task2-key.md\""),
        "{head}"
    );
    assert!(String::from_utf8(key).unwrap().contains("1.2"));
    assert_eq!(
        request(s.port, "POST", "/api/key?format=docx", b"x = 1").0,
        400
    );
    // Save writes the listed file
    let (code, _, _) = request(s.port, "POST", "/api/save?path=task2.gw", edited.as_bytes());
    assert_eq!(code, 200);
    assert_eq!(
        std::fs::read_to_string(dir.join("task2.gw")).unwrap(),
        edited
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_oversized_or_slow_request_does_not_take_the_server() {
    let dir = seed_copy("limits");
    let s = serve(&dir);
    let big = vec![b'#'; gradwork::serve::MAX_BODY + 1];
    assert_eq!(request(s.port, "POST", "/api/solve", &big).0, 413);
    assert_eq!(
        request(s.port, "POST", "/api/solve", &[0xff, 0xfe, 0x00]).0,
        400
    );
    // A loop that never ends stops at the run's limit with its place.
    let start = Instant::now();
    let (code, _, body) = request(
        s.port,
        "POST",
        "/api/solve",
        b"x = 0\nwhile True:\n    x = x + 1\n",
    );
    assert_eq!(code, 200);
    let r = json(&body);
    assert_eq!(r["ok"], false);
    assert_eq!(r["errors"][0]["kind"], "limit reached", "{r}");
    assert!(
        start.elapsed() < Duration::from_secs(gradwork::serve::SOLVE_SECONDS + 10),
        "{:?}",
        start.elapsed()
    );
    // and the server answers the next request
    assert_eq!(request(s.port, "GET", "/api/files", b"").0, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

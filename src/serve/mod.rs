//! `gradwork serve DIR`: a local page to write exercises on — the folder's
//! exercises listed, an editor, and the worked solution re-solved as one
//! types, with the diagnostics at their lines and the answer key to
//! download.
//!
//! The server is tiny_http's, one request at a time, bound to 127.0.0.1
//! only. It reads only the `*.gw` files it listed in DIR (a request names a
//! file by its place in that list's paths, so no path from outside can
//! reach anything else), writes only when the page saves explicitly, limits
//! every request body, and solves each source under the run budget, so a
//! hostile exercise cannot hang it. Every asset is in the binary.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::json;
use tiny_http::{Header, Method, Request, Response, Server};

use crate::lang::interp::{Detail, Options};
use crate::lang::{doc, line_col, solve};

/// Largest request body: an exercise is a few kilobytes.
pub const MAX_BODY: usize = 256 * 1024;
/// Wall time of one solve.
pub const SOLVE_SECONDS: u64 = 5;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

/// The folder served and its exercises.
pub struct Site {
    dir: PathBuf,
    /// The `*.gw` files, as paths relative to `dir` with `/` between parts.
    files: Vec<String>,
}

impl Site {
    /// Lists DIR's exercises (without following symbolic links).
    pub fn new(dir: &Path) -> Result<Site, String> {
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
        if !dir.is_dir() {
            return Err(format!("{} is not a folder", dir.display()));
        }
        let mut found = Vec::new();
        let mut warn = Vec::new();
        crate::lang::files::collect(&dir, &mut found, &mut warn)
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let files = found
            .iter()
            .filter_map(|f| f.strip_prefix(&dir).ok())
            .map(|r| {
                r.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        Ok(Site { dir, files })
    }

    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The file a listed name stands for; `None` for anything not listed.
    fn path(&self, name: &str) -> Option<PathBuf> {
        self.files
            .iter()
            .find(|f| *f == name)
            .map(|f| f.split('/').fold(self.dir.clone(), |p, part| p.join(part)))
    }
}

/// An answer to a request: status, content type, body, extra headers.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub attachment: Option<String>,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            attachment: None,
        }
    }
    fn json(status: u16, v: serde_json::Value) -> Reply {
        Reply::new(status, "application/json; charset=utf-8", v.to_string())
    }
    fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, json!({ "error": message }))
    }
}

/// The options of a solve on the page: the run budget, a shorter wall time.
fn options() -> Options {
    let mut o = Options::default();
    o.limits.timeout = std::time::Duration::from_secs(SOLVE_SECONDS);
    o
}

/// The full worked solution as a document of `format` (figures inline).
fn document(name: &str, sol: &crate::lang::Solution, format: doc::Format) -> doc::Document {
    doc::render(
        &[doc::Exercise { file: name, sol }],
        &doc::Options {
            format,
            detail: Detail::Full,
            digits: crate::num::DEFAULT_DIGITS,
            fragment: false,
            figure_stem: None,
            sheet: None,
        },
    )
}

/// A request's query parameter.
fn param(query: &str, key: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The worked solution of `src` for the page: the HTML document, the
/// answers, the diagnostics with their lines.
fn solved(name: &str, src: &str) -> serde_json::Value {
    let sol = solve(src, &options());
    let html = document(name, &sol, doc::Format::Html);
    let errors: Vec<serde_json::Value> = sol
        .errors
        .iter()
        .map(|e| {
            let (line, column) = line_col(src, e.span.start);
            json!({
                "line": line,
                "column": column,
                "kind": e.kind.title(),
                "message": e.message,
                "hint": e.hint,
            })
        })
        .collect();
    json!({
        "ok": sol.ok(),
        "html": html.text,
        "answers": sol.answers.iter().map(|a| json!({"id": a.id, "value": a.text})).collect::<Vec<_>>(),
        "errors": errors,
    })
}

/// Answers one request: `method`, the URL (path and query) and the body
/// (already read within [`MAX_BODY`]).
pub fn handle(site: &Site, method: &Method, url: &str, body: &[u8]) -> Reply {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let text =
        || std::str::from_utf8(body).map_err(|_| Reply::error(400, "the body is not UTF-8 text"));
    let name = || param(query, "name").unwrap_or_else(|| "exercise.gw".into());
    match (method, path) {
        (Method::Get, "/") => Reply::new(200, "text/html; charset=utf-8", PAGE),
        (Method::Get, "/page.js") => Reply::new(200, "text/javascript; charset=utf-8", SCRIPT),
        (Method::Get, "/page.css") => Reply::new(200, "text/css; charset=utf-8", STYLE),
        (Method::Get, "/api/files") => Reply::json(200, json!(site.files)),
        (Method::Get, "/api/file") => {
            let Some(p) = param(query, "path").and_then(|n| site.path(&n)) else {
                return Reply::error(404, "no such exercise in this folder");
            };
            match std::fs::read(&p).map(String::from_utf8) {
                Ok(Ok(s)) => Reply::new(200, "text/plain; charset=utf-8", s),
                Ok(Err(_)) => Reply::error(422, "the file is not UTF-8 text"),
                Err(_) => Reply::error(404, "the file cannot be read"),
            }
        }
        (Method::Post, "/api/solve") => match text() {
            Ok(src) => Reply::json(200, solved(&name(), src)),
            Err(r) => r,
        },
        (Method::Post, "/api/key") => {
            let src = match text() {
                Ok(s) => s,
                Err(r) => return r,
            };
            let (format, ext) = match param(query, "format").as_deref() {
                Some("md") => (doc::Format::Markdown, "md"),
                Some("latex") => (doc::Format::Latex, "tex"),
                Some("html") | None => (doc::Format::Html, "html"),
                Some(_) => return Reply::error(400, "format is md, latex or html"),
            };
            let file = name();
            let d = document(&file, &solve(src, &options()), format);
            let stem = file
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".gw"))
                .filter(|s| {
                    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))
                })
                .unwrap_or("exercise");
            let mut r = Reply::new(200, "application/octet-stream", d.text);
            r.attachment = Some(format!("{stem}-key.{ext}"));
            r
        }
        (Method::Post, "/api/save") => {
            let Some(p) = param(query, "path").and_then(|n| site.path(&n)) else {
                return Reply::error(404, "only an exercise listed in this folder can be saved");
            };
            let src = match text() {
                Ok(s) => s,
                Err(r) => return r,
            };
            // A link put in the file's place since it was listed is not
            // followed.
            if std::fs::symlink_metadata(&p).is_ok_and(|m| !m.is_file()) {
                return Reply::error(409, "the file is no longer a regular file");
            }
            match std::fs::write(&p, src) {
                Ok(()) => Reply::json(200, json!({ "saved": param(query, "path") })),
                Err(e) => Reply::error(500, &format!("cannot save: {e}")),
            }
        }
        (Method::Get | Method::Post, _) => Reply::error(404, "no such page"),
        _ => Reply::error(405, "only GET and POST"),
    }
}

/// Reads a request's body, refusing one over [`MAX_BODY`].
fn body_of(req: &mut Request) -> Result<Vec<u8>, Reply> {
    if req.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Reply::error(413, "the request is too large"));
    }
    let mut body = Vec::new();
    let read = req
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    match read {
        Err(_) => Err(Reply::error(400, "the request's body cannot be read")),
        Ok(_) if body.len() > MAX_BODY => Err(Reply::error(413, "the request is too large")),
        Ok(_) => Ok(body),
    }
}

fn respond(req: Request, r: Reply) {
    let mut headers = vec![
        Header::from_bytes("Content-Type", r.content_type),
        // The page and its answers are the user's own: nothing is cached
        // or framed elsewhere, and scripts come from this server only.
        Header::from_bytes("Cache-Control", "no-store"),
        Header::from_bytes("X-Content-Type-Options", "nosniff"),
        Header::from_bytes(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
    ];
    if let Some(f) = &r.attachment {
        headers.push(Header::from_bytes(
            "Content-Disposition",
            format!("attachment; filename=\"{f}\""),
        ));
    }
    let mut resp = Response::from_data(r.body).with_status_code(r.status);
    for h in headers.into_iter().flatten() {
        resp.add_header(h);
    }
    // A client gone before the answer is nothing to report.
    let _ = req.respond(resp);
}

/// Serves `site` on 127.0.0.1:`port` (0: any free port) until the process
/// ends; `ready` is told the port once the server listens.
pub fn run(site: &Site, port: u16, ready: impl FnOnce(u16)) -> Result<(), String> {
    let server = Server::http(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let bound = server.server_addr().to_ip().map_or(port, |a| a.port());
    ready(bound);
    for mut req in server.incoming_requests() {
        let reply = match body_of(&mut req) {
            Ok(body) => {
                let url = req.url().to_string();
                let method = req.method().clone();
                handle(site, &method, &url, &body)
            }
            Err(r) => r,
        };
        respond(req, reply);
    }
    Ok(())
}

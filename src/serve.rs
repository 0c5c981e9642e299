//! The preview server of `inkstone serve`: a page on 127.0.0.1 with the
//! EPUB's chapters (the XHTML, stylesheets and fonts the EPUB writer
//! made, taken from the EPUB itself) and the diagnostics of the last
//! build, and a second page (`/pages`) with the PDF's pages as images.
//! Both listen for server-sent events and reload themselves after each
//! build.
//!
//! Only files of the current build are served: they are held in memory,
//! looked up by their exact name inside the EPUB, and nothing is ever read
//! from the disk for a request, so no request path can reach another file.
//! Requests whose `Host` is not this server's own address are refused, so
//! that other web pages cannot read the preview through a name that
//! resolves to 127.0.0.1.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Cursor, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use quick_xml::events::Event;

use crate::diag::{Diagnostic, Severity, Sources};

/// At most this many requests are handled at once (each open page keeps
/// one for its events); more get "503 Service Unavailable".
const MAX_ACTIVE: usize = 64;

/// How often an idle event stream sends a comment, so that a closed page
/// is noticed and its thread ends.
const KEEPALIVE: Duration = Duration::from_secs(10);

/// What one build gives the preview.
#[derive(Debug, Default)]
pub struct Build {
    /// The EPUB, when the build made one; without it the page keeps the
    /// chapters of the last build that did.
    pub epub: Option<Vec<u8>>,
    /// The PDF's pages as PNG images, in order (empty when not made).
    pub pages: Vec<Vec<u8>>,
    /// Errors, warnings and information of the build (notes are left out).
    pub diagnostics: Vec<Diagnostic>,
    /// A line said above the diagnostics, such as which edition of a
    /// series is shown.
    pub notice: Option<String>,
}

/// A chapter of the EPUB, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Its name inside the EPUB, such as `EPUB/xhtml/ch001.xhtml`.
    pub path: String,
    pub title: String,
}

/// The files and page of the current build.
#[derive(Debug, Default)]
struct Site {
    /// Counts builds; the page reloads when it changes.
    generation: u64,
    title: String,
    /// Files of the EPUB by their name inside it.
    files: BTreeMap<String, Vec<u8>>,
    chapters: Vec<Chapter>,
    pages: Vec<Vec<u8>>,
    /// The diagnostics, rendered as text with the source line and caret.
    diagnostics: Vec<(Severity, String)>,
    /// The last build failed and the chapters are those of an earlier one.
    stale: bool,
    notice: Option<String>,
}

#[derive(Default)]
struct Shared {
    site: Mutex<Site>,
    changed: Condvar,
}

impl Shared {
    fn site(&self) -> MutexGuard<'_, Site> {
        // A handler that panicked leaves the site as it was: still usable.
        self.site.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running preview server.
pub struct Preview {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Preview {
    /// Listens on 127.0.0.1 at `port` (0: any free port) and answers
    /// requests on a thread of its own, until the process ends.
    pub fn start(port: u16) -> std::io::Result<Preview> {
        let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(std::io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("the server has no IP address"))?;
        let shared = Arc::new(Shared::default());
        let server = Arc::new(server);
        let active = Arc::new(AtomicUsize::new(0));
        {
            let shared = shared.clone();
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    if active.load(Ordering::SeqCst) >= MAX_ACTIVE {
                        let _ = send(request, text_response(503, "too many requests at once"));
                        continue;
                    }
                    active.fetch_add(1, Ordering::SeqCst);
                    let (shared, active) = (shared.clone(), active.clone());
                    std::thread::spawn(move || {
                        handle(&shared, addr, request);
                        active.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            });
        }
        Ok(Preview { shared, addr })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Shows `build` from now on, and tells open pages to reload.
    pub fn publish(&self, build: Build) {
        let mut sources = Sources::default();
        let diagnostics: Vec<(Severity, String)> = crate::diag::deduplicate(build.diagnostics)
            .iter()
            .filter(|d| d.severity >= Severity::Info)
            .map(|d| (d.severity, d.render(&mut sources, false)))
            .collect();
        let unpacked = build.epub.as_deref().map(unpack_epub);
        let mut site = self.shared.site();
        site.generation += 1;
        site.diagnostics = diagnostics;
        site.notice = build.notice;
        match unpacked {
            Some(Ok(epub)) => {
                site.title = epub.title;
                site.files = epub.files;
                site.chapters = epub.chapters;
                site.pages = build.pages;
                site.stale = false;
            }
            Some(Err(problem)) => {
                site.diagnostics.push((
                    Severity::Error,
                    format!("error: the EPUB could not be read back for the preview: {problem}"),
                ));
                site.stale = true;
            }
            None => site.stale = true,
        }
        drop(site);
        self.shared.changed.notify_all();
    }

    /// How many builds have been published.
    pub fn generation(&self) -> u64 {
        self.shared.site().generation
    }
}

/// The files of an EPUB, its chapters in reading order and its title.
struct Unpacked {
    title: String,
    files: BTreeMap<String, Vec<u8>>,
    chapters: Vec<Chapter>,
}

/// Reads the EPUB back: every file by name, the spine of its package
/// document, each chapter's `<title>`.
fn unpack_epub(epub: &[u8]) -> Result<Unpacked, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(epub)).map_err(|e| e.to_string())?;
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| e.to_string())?.into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
        files.insert(name, data);
    }
    let opf_path = files
        .get("META-INF/container.xml")
        .and_then(|c| first_attribute(c, "rootfile", "full-path"))
        .ok_or("the EPUB names no package document")?;
    let opf = files
        .get(&opf_path)
        .ok_or("the EPUB's package document is missing")?;
    let opf_dir = match opf_path.rfind('/') {
        Some(i) => &opf_path[..=i],
        None => "",
    };
    let (title, hrefs) = read_spine(opf)?;
    let chapters = hrefs
        .into_iter()
        .map(|href| {
            let path = format!("{opf_dir}{href}");
            let title = files
                .get(&path)
                .and_then(|page| element_text(page, "title"))
                .unwrap_or_else(|| href.clone());
            Chapter { path, title }
        })
        .filter(|c| files.contains_key(&c.path))
        .collect();
    Ok(Unpacked {
        title,
        files,
        chapters,
    })
}

/// The value of `attribute` on the first `element` of an XML file.
fn first_attribute(xml: &[u8], element: &str, attribute: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == element => {
                let value = e.try_get_attribute(attribute).ok()??;
                return value
                    .normalized_value(quick_xml::XmlVersion::default())
                    .ok()
                    .map(|v| v.into_owned());
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The text of the first `element` of an XML file.
fn element_text(xml: &[u8], element: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == element => inside = true,
            Ok(Event::End(e)) if e.local_name().as_ref() == element => {
                return Some(text.trim().to_string())
            }
            Ok(Event::Text(t)) if inside => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if inside => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The title and the spine (hrefs in reading order) of a package document.
fn read_spine(opf: &[u8]) -> Result<(String, Vec<String>), String> {
    let mut reader = quick_xml::Reader::from_reader(opf);
    let mut buf = Vec::new();
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    let mut spine = Vec::new();
    let mut in_title = false;
    let mut title = String::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| -> Option<String> {
                    let a = e.try_get_attribute(name).ok()??;
                    a.normalized_value(quick_xml::XmlVersion::default())
                        .ok()
                        .map(|v| v.into_owned())
                };
                match e.local_name().as_ref() {
                    "item" => {
                        if let (Some(id), Some(href)) = (attr("id"), attr("href")) {
                            items.insert(id, href);
                        }
                    }
                    "itemref" => spine.extend(attr("idref")),
                    "title" if title.is_empty() => in_title = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_title => {
                title.push_str(&t.xml10_content());
            }
            Event::End(e) if e.local_name().as_ref() == "title" => in_title = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let hrefs = spine
        .iter()
        .filter_map(|id| items.get(id).cloned())
        .collect();
    Ok((title.trim().to_string(), hrefs))
}

/// The media type of a file by its extension.
fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("xhtml") => "application/xhtml+xml; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("xml" | "opf" | "ncx") => "application/xml; charset=utf-8",
        Some("otf") => "font/otf",
        Some("ttf") => "font/ttf",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}

/// An answer to a request: its status, media type and body.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

fn response(status: u16, content_type: &'static str, body: Vec<u8>) -> Answer {
    Answer {
        status,
        content_type,
        body,
    }
}

fn text_response(status: u16, text: &str) -> Answer {
    response(
        status,
        "text/plain; charset=utf-8",
        format!("{text}\n").into_bytes(),
    )
}

/// Sends `answer` and closes the connection. A connection kept open
/// between requests holds one of the server library's connection threads
/// until the browser drops it, and a connection accepted while the idle
/// threads are still waking up waits for a thread to come free: with
/// keep-alive, a page's last frames could wait for minutes on a busy
/// machine. Closed after each answer, every connection frees its thread
/// at once.
fn send(request: tiny_http::Request, answer: Answer) -> std::io::Result<()> {
    let head_only = *request.method() == tiny_http::Method::Head;
    let reason = match answer.status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.content_type,
        answer.body.len()
    );
    let mut out = request.into_writer();
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(&answer.body)?;
    }
    out.flush()
}

/// Whether the request's `Host` names this server (127.0.0.1 or
/// localhost, at its port).
fn host_allowed(request: &tiny_http::Request, addr: SocketAddr) -> bool {
    let port = addr.port();
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .is_some_and(|h| {
            let host = h.value.as_str();
            [format!("127.0.0.1:{port}"), format!("localhost:{port}")]
                .iter()
                .any(|allowed| host.eq_ignore_ascii_case(allowed))
        })
}

fn handle(shared: &Shared, addr: SocketAddr, request: tiny_http::Request) {
    let method = request.method().clone();
    if !matches!(method, tiny_http::Method::Get | tiny_http::Method::Head) {
        let _ = send(
            request,
            text_response(405, "only GET and HEAD are answered"),
        );
        return;
    }
    if !host_allowed(&request, addr) {
        let _ = send(
            request,
            text_response(403, "the preview answers only to 127.0.0.1 and localhost"),
        );
        return;
    }
    let raw = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_string();
    let path = match percent_encoding::percent_decode_str(&raw).decode_utf8() {
        Ok(path) => path.into_owned(),
        Err(_) => {
            let _ = send(request, text_response(404, "no such file in this build"));
            return;
        }
    };
    if path == "/events" {
        stream_events(shared, request);
        return;
    }
    let site = shared.site();
    let found = if path == "/" || path == "/index.html" {
        Some(("text/html; charset=utf-8", index_page(&site).into_bytes()))
    } else if path == "/pages" {
        Some(("text/html; charset=utf-8", pages_page(&site).into_bytes()))
    } else if let Some(name) = path.strip_prefix("/book/") {
        site.files
            .get(name)
            .map(|data| (content_type(name), data.clone()))
    } else if let Some(number) = path
        .strip_prefix("/pages/")
        .and_then(|p| p.strip_suffix(".png"))
    {
        number
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| site.pages.get(i))
            .map(|png| ("image/png", png.clone()))
    } else {
        None
    };
    drop(site);
    let _ = match found {
        Some((kind, body)) => send(request, response(200, kind, body)),
        None => send(request, text_response(404, "no such file in this build")),
    };
}

/// Server-sent events: `build` with the build's number, now and after
/// every build, until the page goes away.
fn stream_events(shared: &Shared, request: tiny_http::Request) {
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut site = shared.site();
    let mut sent = None;
    loop {
        let generation = site.generation;
        let message = if sent == Some(generation) {
            ": still here\n\n".to_string()
        } else {
            sent = Some(generation);
            format!("event: build\ndata: {generation}\n\n")
        };
        drop(site);
        if out.write_all(message.as_bytes()).is_err() || out.flush().is_err() {
            return;
        }
        site = shared.site();
        if site.generation == generation {
            site = match shared.changed.wait_timeout(site, KEEPALIVE) {
                Ok((site, _)) => site,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

/// Text made safe for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A path inside the EPUB as a URL path under `/book/`.
fn book_url(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    format!(
        "/book/{}",
        percent_encoding::utf8_percent_encode(path, SEGMENT)
    )
}

const PAGE_STYLE: &str = "
body { margin: 0; font-family: system-ui, sans-serif; background: #eee; color: #222; }
header { position: sticky; top: 0; z-index: 1; background: #334; color: #fff; padding: .4em 1em; display: flex; gap: 1.5em; align-items: baseline; }
header h1 { font-size: 1.1em; font-weight: normal; margin: 0; }
header a { color: #cde; }
#diagnostics { margin: 0; padding: 0 1em; }
#diagnostics pre { white-space: pre-wrap; background: #fff; border-left: .4em solid #888; padding: .5em 1em; margin: .6em 0; }
#diagnostics pre.error { border-color: #c22; }
#diagnostics pre.warning { border-color: #d90; }
#diagnostics p { margin: .6em 0; }
main { display: flex; gap: 1em; padding: 1em; align-items: flex-start; }
aside { position: sticky; top: 3em; flex: 0 0 14em; max-height: 85vh; overflow: auto; font-size: .9em; }
#book { flex: 1; min-width: 0; }
iframe.chapter { display: block; width: 100%; max-width: 46em; height: 30em; border: 0; background: #fff; margin: 0 auto 1.5em; box-shadow: 0 0 .3em #aaa; }
#pages img { display: block; margin: 0 auto 1.5em; max-width: 100%; box-shadow: 0 0 .3em #aaa; background: #fff; }
";

const PAGE_SCRIPT: &str = "
const shown = Number(document.body.dataset.build);
// After a reload the page goes back to where the reader was, until the
// reader scrolls.
let saved = sessionStorage.getItem('inkstone-scroll');
for (const name of ['wheel', 'keydown', 'touchstart', 'mousedown']) {
  addEventListener(name, () => { saved = null; }, { once: true });
}
function restore() { if (saved !== null) window.scrollTo(0, Number(saved)); }
function fit(frame) {
  const doc = frame.contentDocument;
  if (doc && doc.documentElement) {
    frame.style.height = (doc.documentElement.scrollHeight + 16) + 'px';
    restore();
  }
}
function watch(frame) {
  fit(frame);
  // Fonts arrive after the text: the frame grows with its content (a few
  // times at most, since content sized by the frame's own height, such as
  // an image of 95vh, would grow with it).
  const doc = frame.contentDocument;
  let fits = 0;
  if (doc && doc.documentElement && window.ResizeObserver) {
    new ResizeObserver(() => { if (++fits <= 8) fit(frame); }).observe(doc.documentElement);
  }
}
for (const frame of document.querySelectorAll('iframe.chapter')) {
  frame.addEventListener('load', () => watch(frame));
  if (frame.contentDocument && frame.contentDocument.readyState === 'complete') watch(frame);
}
restore();
const events = new EventSource('/events');
events.addEventListener('build', (e) => {
  if (Number(e.data) !== shown) {
    sessionStorage.setItem('inkstone-scroll', String(saved !== null ? saved : window.scrollY));
    location.reload();
  }
});
";

/// The page's own text (titles, messages) is set in the EPUB's subset
/// fonts, which have every character of the book, then in the system's
/// interface font: a machine without Chinese fonts still shows it.
fn page_fonts(site: &Site) -> String {
    let mut fonts: Vec<&String> = site
        .files
        .keys()
        .filter(|name| {
            let lower = name.to_ascii_lowercase();
            [".otf", ".ttf", ".woff", ".woff2"]
                .iter()
                .any(|e| lower.ends_with(e))
        })
        .collect();
    // Regular faces first: they hold the most characters.
    fonts.sort_by_key(|name| !name.contains("Regular"));
    let mut css = String::new();
    let mut families = Vec::new();
    for (i, name) in fonts.iter().enumerate() {
        let _ = writeln!(
            css,
            "@font-face {{ font-family: \"inkstone page {i}\"; src: url(\"{}\"); }}",
            book_url(name)
        );
        families.push(format!("\"inkstone page {i}\""));
    }
    families.push("system-ui".to_string());
    families.push("sans-serif".to_string());
    let _ = writeln!(css, "body {{ font-family: {}; }}", families.join(", "));
    css
}

/// The preview page.
fn index_page(site: &Site) -> String {
    let mut html = String::new();
    let title = if site.title.is_empty() {
        "inkstone"
    } else {
        &site.title
    };
    let count = |severity| {
        site.diagnostics
            .iter()
            .filter(|(s, _)| *s == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} · inkstone serve</title>\n<style>{PAGE_STYLE}{}</style>\n</head>\n<body data-build=\"{}\">\n<header><h1>{}</h1><span id=\"status\">build {}: {errors} error(s), {warnings} warning(s)</span><a href=\"/pages\">PDF pages</a></header>\n<section id=\"diagnostics\">\n",
        escape(title),
        page_fonts(site),
        site.generation,
        escape(title),
        site.generation,
    );
    if let Some(notice) = &site.notice {
        let _ = writeln!(html, "<p>{}</p>", escape(notice));
    }
    if site.stale {
        let _ = writeln!(
            html,
            "<p class=\"stale\">The build failed; below is the last book that built.</p>"
        );
    }
    for (severity, text) in &site.diagnostics {
        let class = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            _ => "info",
        };
        let _ = writeln!(html, "<pre class=\"{class}\">{}</pre>", escape(text));
    }
    html.push_str("</section>\n<main>\n<aside><ol>\n");
    for (i, chapter) in site.chapters.iter().enumerate() {
        let _ = writeln!(
            html,
            "<li><a href=\"#chapter-{}\">{}</a></li>",
            i + 1,
            escape(&chapter.title)
        );
    }
    html.push_str("</ol></aside>\n<div id=\"book\">\n");
    for (i, chapter) in site.chapters.iter().enumerate() {
        let _ = writeln!(
            html,
            "<iframe class=\"chapter\" id=\"chapter-{}\" title=\"{}\" src=\"{}\"></iframe>",
            i + 1,
            escape(&chapter.title),
            escape(&book_url(&chapter.path))
        );
    }
    let _ = write!(
        html,
        "</div>\n</main>\n<script>{PAGE_SCRIPT}</script>\n</body>\n</html>\n"
    );
    html
}

/// The PDF's pages as images, on a page of their own (it reloads after
/// each build too).
fn pages_page(site: &Site) -> String {
    let mut html = String::new();
    let title = if site.title.is_empty() {
        "inkstone"
    } else {
        &site.title
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} · pages · inkstone serve</title>\n<style>{PAGE_STYLE}{}</style>\n</head>\n<body data-build=\"{}\">\n<header><h1>{}</h1><span id=\"status\">build {}: {} page(s)</span><a href=\"/\">EPUB</a></header>\n<section id=\"pages\">\n",
        escape(title),
        page_fonts(site),
        site.generation,
        escape(title),
        site.generation,
        site.pages.len(),
    );
    for i in 1..=site.pages.len() {
        let _ = writeln!(
            html,
            "<img src=\"/pages/{i}.png?build={}\" alt=\"page {i}\">",
            site.generation
        );
    }
    let _ = write!(
        html,
        "</section>\n<script>{PAGE_SCRIPT}</script>\n</body>\n</html>\n"
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn book_urls_keep_slashes_and_encode_the_rest() {
        assert_eq!(
            book_url("EPUB/xhtml/ch 1.xhtml"),
            "/book/EPUB/xhtml/ch%201.xhtml"
        );
        assert_eq!(
            book_url("EPUB/第一.xhtml"),
            "/book/EPUB/%E7%AC%AC%E4%B8%80.xhtml"
        );
    }
}

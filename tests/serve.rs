//! `inkstone serve` as a user meets it: the page in a real browser
//! (headless Chromium, driven over WebDriver by chromedriver) shows the
//! book, follows edits without a manual reload and shows build errors
//! with their places; and the server hands out nothing but the files of
//! the current build.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("serve")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write fixture");
}

/// Changes a file of the served book as an editor saves it: written
/// beside it under a hidden name (which the server does not watch), then
/// renamed over it. A plain write first empties the file, and the server
/// may build the empty file in between: one more build and one more
/// reload of the page before it shows the edit.
fn edit(path: &Path, text: &str) {
    let name = path.file_name().expect("a file name").to_string_lossy();
    let saved = path.with_file_name(format!(".{name}.saving"));
    write(&saved, text);
    std::fs::rename(&saved, path).expect("replace the file");
}

/// How long a page may take to show a build the server has finished: a
/// reload of the page with its chapters and fonts. Generous, as headless
/// Chromium is slow on a machine busy compiling; it is not a speed target.
const PAGE_WAIT: u64 = 60;

const BOOK_TOML: &str = "[book]\ntitle = \"河边笔记\"\nauthors = [\"林小满\"]\nslug = \"riverside\"\n\n[contents]\nchapters = [\"01.txt\", \"02.txt\"]\n";

/// A small book of two chapters, as text pasted from a word processor
/// (full-width spaces, a stray blank line, half-width punctuation).
fn write_book(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    std::fs::create_dir_all(&book).expect("book folder");
    write(&book.join("book.toml"), BOOK_TOML);
    write(
        &book.join("01.txt"),
        "第一章  早春\n\u{3000}\u{3000}河边的柳树发了新芽,孩子们沿着堤岸跑来跑去。\n\n\u{3000}\u{3000}老周在渡口摆了三十年的船，今天第一次说起他年轻时的事。\n",
    );
    write(
        &book.join("02.txt"),
        "第二章  夏汛\n\u{3000}\u{3000}七月的雨下了整整一旬，水漫过了石阶。\n",
    );
    book
}

/// `inkstone serve` running on a free port; stopped when dropped.
struct Served {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    fn start(input: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_inkstone"))
            .args(["--diagnostic-format=short", "serve", "--port", "0"])
            .arg(input)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start inkstone serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    log.lock().expect("log").push(line);
                }
            });
        }
        let mut served = Served {
            child,
            port: 0,
            log,
        };
        let started = Instant::now();
        while served.port == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "inkstone serve printed no address:\n{}",
                served.log()
            );
            let log = served.log();
            if let Some(port) = log
                .split("http://127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .and_then(|port| port.parse().ok())
            {
                served.port = port;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        served
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// Waits until the server has finished `n` builds.
    fn wait_for_builds(&self, n: usize) {
        let started = Instant::now();
        while self.log().matches(" ms; watching ").count() < n {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "build {n} did not finish:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request with the path sent byte for byte as given (a client
/// library would tidy `..` away); returns the status code and the body.
fn get_raw(port: u16, method: &str, path: &str, host: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn only_files_of_the_current_build_are_served() {
    let dir = scratch("traversal");
    let book = write_book(&dir);
    // A secret beside the book, and the book's own sources: none of them
    // is a file of the build.
    write(&dir.join("secret.txt"), "不该被读到的内容\n");
    let served = Served::start(&book);
    served.wait_for_builds(1);
    let port = served.port;
    let host = format!("127.0.0.1:{port}");

    // The positive control: the page and a chapter of the EPUB.
    let (status, page) = get_raw(port, "GET", "/", &host);
    assert_eq!(status, 200, "{page}");
    let chapter = page
        .split("src=\"/book/")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.ends_with(".xhtml") && s.contains("ch"))
        .expect("a chapter on the page")
        .to_string();
    let (status, xhtml) = get_raw(port, "GET", &format!("/book/{chapter}"), &host);
    assert_eq!(status, 200);
    assert!(xhtml.contains("老周在渡口摆了三十年的船"), "{xhtml}");

    // The PDF's pages, drawn by the page-image exporter.
    let (status, pages) = get_raw(port, "GET", "/pages", &host);
    assert_eq!(status, 200, "{pages}");
    let count = pages.matches("<img src=\"/pages/").count();
    assert!(count >= 2, "the book has pages: {pages}");
    let (status, png) = get_raw(port, "GET", "/pages/1.png", &host);
    assert_eq!(status, 200);
    assert!(
        png.get(1..4) == Some("PNG") || png.contains("PNG\r\n"),
        "a PNG file"
    );
    let (status, _) = get_raw(port, "GET", &format!("/pages/{}.png", count + 1), &host);
    assert_eq!(status, 404, "no page past the last");

    for path in [
        "/book/../secret.txt",
        "/book/../../secret.txt",
        "/book/%2e%2e/%2e%2e/secret.txt",
        "/book/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/book/EPUB/../../01.txt",
        "/book/..%5C..%5C01.txt",
        "/book//etc/passwd",
        "/book/%2Fetc%2Fpasswd",
        "/../book/book.toml",
        "/01.txt",
        "/book.toml",
        "/book/01.txt",
        "/book/book.toml",
        "/book/mimetype/../01.txt",
        "/pages/0.png",
        "/pages/../../secret.txt",
        "/%00",
    ] {
        let (status, body) = get_raw(port, "GET", path, &host);
        assert_eq!(status, 404, "{path} gave {status}: {body}");
        assert!(
            !body.contains("不该被读到") && !body.contains("老周") && !body.contains("[book]"),
            "{path} leaked a file: {body}"
        );
    }
    // Another site's name for 127.0.0.1 is refused; so is anything but GET.
    let (status, _) = get_raw(port, "GET", "/", "attacker.example:80");
    assert_eq!(status, 403);
    let (status, _) = get_raw(port, "POST", "/", &host);
    assert_eq!(status, 405);
}

/// chromedriver and a headless Chromium session; ended when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A WebDriver client that reads error answers too (they say what went
/// wrong).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(url: &str, body: &Value) -> Value {
    let mut response = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("WebDriver request {url} failed: {e}"));
    let text = response
        .body_mut()
        .read_to_string()
        .expect("WebDriver answer");
    let answer: Value = serde_json::from_str(&text).expect("WebDriver JSON");
    assert!(
        answer["value"]["error"].is_null(),
        "WebDriver request {url} failed: {answer}"
    );
    answer
}

impl Browser {
    fn start(profile: PathBuf) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver; scripts/test.sh installs it)");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        std::fs::create_dir_all(&profile).expect("profile folder");
        let answer = post(
            &format!("{base}/session"),
            &json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                // Navigation returns once the page's document is read;
                // the tests then wait for what they look for.
                "pageLoadStrategy": "eager",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        format!("--user-data-dir={}", profile.display()),
                    ],
                },
            }}}),
        );
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_string();
        Browser {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    fn open(&self, url: &str) {
        post(
            &format!("{}/session/{}/url", self.base, self.session),
            &json!({ "url": url }),
        );
    }

    fn run(&self, script: &str) -> Value {
        let answer = post(
            &format!("{}/session/{}/execute/sync", self.base, self.session),
            &json!({ "script": script, "args": [] }),
        );
        answer["value"].clone()
    }

    /// What the page shows: its own text, then each chapter frame's.
    fn text(&self) -> String {
        self.run(
            "const parts = [document.body ? document.body.innerText : ''];
             for (const f of document.querySelectorAll('iframe')) {
               const d = f.contentDocument;
               parts.push(d && d.body ? d.body.textContent : '');
             }
             return parts.join('\\n');",
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// How many times the page has been loaded in this tab, and the build
    /// it shows.
    fn build_shown(&self) -> i64 {
        self.run("return document.body ? Number(document.body.dataset.build) : -1;")
            .as_i64()
            .unwrap_or(-1)
    }

    /// Polls until the page text passes `test`; returns how long it took.
    fn wait_for(&self, seconds: u64, test: impl Fn(&str) -> bool) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(seconds) {
            if test(&self.text()) {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn the_page_follows_an_edit_without_a_manual_reload() {
    let dir = scratch("browser-edit");
    let book = write_book(&dir);
    let served = Served::start(&book);
    served.wait_for_builds(1);
    let browser = Browser::start(dir.join("profile"));
    browser.open(&served.url());
    assert!(
        browser
            .wait_for(PAGE_WAIT, |t| t.contains("老周在渡口摆了三十年的船"))
            .is_some(),
        "the page does not show the first chapter:\n{}",
        browser.text()
    );
    assert!(
        browser
            .wait_for(PAGE_WAIT, |t| t.contains("七月的雨下了整整一旬"))
            .is_some(),
        "the page does not show the second chapter:\n{}\nserver:\n{}",
        browser.text(),
        served.log()
    );
    assert_eq!(browser.build_shown(), 1);
    // The chapter is styled by the EPUB's stylesheet, which brings the
    // EPUB's own subset fonts.
    let styled = browser.run(
        "const frames = Array.from(document.querySelectorAll('iframe.chapter'));
         const f = frames.find(f => f.contentDocument?.body?.textContent.includes('老周'));
         const doc = f.contentDocument;
         const faces = Array.from(doc.fonts);
         return { sheets: doc.styleSheets.length, faces: faces.length };",
    );
    assert!(styled["sheets"].as_i64() >= Some(1), "{styled}");
    assert!(styled["faces"].as_i64() >= Some(1), "{styled}");

    // The user edits the first chapter; the test never reloads the page.
    assert!(!browser.text().contains("渡口的船今天换了新桨"));
    edit(
        &book.join("01.txt"),
        "第一章  早春\n\u{3000}\u{3000}河边的柳树发了新芽,孩子们沿着堤岸跑来跑去。\n\n\u{3000}\u{3000}渡口的船今天换了新桨，老周笑得合不拢嘴。\n",
    );
    served.wait_for_builds(2);
    let took = browser.wait_for(PAGE_WAIT, |t| t.contains("渡口的船今天换了新桨"));
    let Some(took) = took else {
        panic!(
            "the page did not show the edit (it shows build {}):\n{}\nserver:\n{}",
            browser.build_shown(),
            browser.text(),
            served.log()
        );
    };
    eprintln!(
        "the edit appeared on the page {} ms after the file was written",
        took.as_millis()
    );
    assert!(!browser.text().contains("老周在渡口摆了三十年的船"));
    assert!(browser.build_shown() >= 2, "the page reloaded itself");
}

#[test]
fn a_build_error_appears_on_the_page_with_its_place() {
    let dir = scratch("browser-error");
    let book = write_book(&dir);
    let served = Served::start(&book);
    served.wait_for_builds(1);
    let browser = Browser::start(dir.join("profile"));
    browser.open(&served.url());
    assert!(
        browser
            .wait_for(PAGE_WAIT, |t| t.contains("七月的雨"))
            .is_some(),
        "the page does not show the book:\n{}\nserver:\n{}",
        browser.text(),
        served.log()
    );
    assert!(!browser.text().contains("does not exist"));

    // book.toml names a chapter file that is not there.
    edit(
        &book.join("book.toml"),
        &BOOK_TOML.replace("\"02.txt\"", "\"03.txt\""),
    );
    // The server's build first, then the page (each wait says which
    // one was slow).
    served.wait_for_builds(2);
    let place = format!("{}:7:23", book.join("book.toml").display());
    let shown = browser.wait_for(PAGE_WAIT, |t| {
        t.contains("chapter file `03.txt` does not exist") && t.contains(&place)
    });
    assert!(
        shown.is_some(),
        "the error is not on the page (it shows build {}):\n{}\nserver:\n{}",
        browser.build_shown(),
        browser.text(),
        served.log()
    );
    // The last book that built stays on the page under the error.
    assert!(browser
        .wait_for(PAGE_WAIT, |t| t.contains("七月的雨"))
        .is_some());

    // Fixed again: the error goes.
    edit(&book.join("book.toml"), BOOK_TOML);
    served.wait_for_builds(3);
    assert!(
        browser
            .wait_for(PAGE_WAIT, |t| !t.contains("does not exist")
                && t.contains("七月的雨"))
            .is_some(),
        "the error stays after the fix (the page shows build {}):\n{}\nserver:\n{}",
        browser.build_shown(),
        browser.text(),
        served.log()
    );
}

#[test]
fn open_hands_the_page_address_to_the_desktop() {
    let dir = scratch("open");
    let book = write_book(&dir);
    // A stand-in for the desktop's opener, first on the PATH: it notes
    // what it was asked to open.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin folder");
    let asked = dir.join("asked.txt");
    let opener = bin.join("xdg-open");
    write(
        &opener,
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            asked.display()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755))
            .expect("make it runnable");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_inkstone"))
        .args(["serve", "--open", "--port", "0"])
        .arg(&book)
        .env("PATH", path)
        .env_remove("BROWSER")
        .env_remove("WSL_DISTRO_NAME")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start inkstone serve --open");
    // Read on, so that the server never writes into a closed pipe.
    let (lines, first) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let first = first
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_default();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let started = Instant::now();
    let mut seen = String::new();
    while started.elapsed() < Duration::from_secs(60) {
        seen = std::fs::read_to_string(&asked).unwrap_or_default();
        if !seen.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.trim(), url, "the page's address is opened, once");
}

#[test]
fn warnings_are_on_the_page_with_their_places() {
    let dir = scratch("warnings");
    let book = write_book(&dir);
    // The first chapter is listed twice: a warning with its place.
    write(
        &book.join("book.toml"),
        &BOOK_TOML.replace("\"02.txt\"]", "\"02.txt\", \"01.txt\"]"),
    );
    let served = Served::start(&book);
    served.wait_for_builds(1);
    let host = format!("127.0.0.1:{}", served.port);
    let (status, page) = get_raw(served.port, "GET", "/", &host);
    assert_eq!(status, 200);
    let place = format!("{}:7:13", book.join("book.toml").display());
    let warning = page
        .split("<pre class=\"warning\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no warning on the page:\n{page}\nserver:\n{}", served.log()));
    assert!(warning.contains("is listed twice"), "{warning}");
    assert!(warning.contains(&place), "{warning}");
    // The book still builds under its warning.
    assert!(page.contains("1 warning(s)"), "{page}");
    assert!(page.contains("class=\"chapter\""), "{page}");
    assert!(!page.contains("<pre class=\"error\">"), "{page}");
}

/// Sends one keep-alive `GET /` on `stream` and reads the answer as a
/// browser does: `None` when no whole answer came; the connection is
/// closed after the body when the answer says `Connection: close`, else
/// handed back to be kept open.
fn answered_as_a_browser(mut stream: TcpStream, port: u16) -> Option<Option<BufReader<TcpStream>>> {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let request =
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().ok()?;
        }
        head.push_str(&lower);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    if !head.starts_with("http/1.1 200") {
        return None;
    }
    Some((!head.contains("connection: close")).then_some(reader))
}

#[test]
fn many_connections_opened_at_once_are_all_answered() {
    let dir = scratch("burst");
    let book = write_book(&dir);
    let served = Served::start(&book);
    served.wait_for_builds(1);
    let port = served.port;
    // A page with many frames opens connections in a burst; connections
    // a browser keeps alive stay open to the end of the test.
    let mut kept = Vec::new();
    for round in 0..3 {
        let streams: Vec<TcpStream> = (0..40)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
            .collect();
        let clients: Vec<_> = streams
            .into_iter()
            .map(|stream| std::thread::spawn(move || answered_as_a_browser(stream, port)))
            .collect();
        let mut answered = 0;
        for client in clients {
            if let Some(open) = client.join().expect("a client thread") {
                answered += 1;
                kept.extend(open);
            }
        }
        assert_eq!(answered, 40, "round {round}: connections left unanswered");
    }
    // The control: the page itself is what was asked for.
    let (status, page) = get_raw(port, "GET", "/", &format!("127.0.0.1:{port}"));
    assert_eq!(status, 200);
    assert!(page.contains("河边笔记"), "{page}");
    drop(kept);
}

//! A real OTLP/HTTP receiver for tests: an HTTP/1.1 server on a free loopback
//! port that decodes every `POST /v1/traces` protobuf body, or misbehaves on
//! purpose (answers an error status, or accepts and never answers).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;

/// How the receiver answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// `200 OK` with an empty protobuf response (404 for any path but
    /// `/v1/traces`, as a real collector).
    Accept,
    /// This status code, no body.
    Status(u16),
    /// Reads the request and never answers (until the receiver is dropped).
    Hang,
    /// `200 OK` without decoding or keeping anything, counting the bytes
    /// (for throughput benchmarks that send millions of spans).
    CountOnly,
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Request path.
    pub path: String,
    /// `content-type` header.
    pub content_type: String,
    /// The decoded body.
    pub request: ExportTraceServiceRequest,
}

/// The running receiver; stops accepting when dropped.
pub struct Receiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    bytes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    /// Request body bytes received so far.
    #[must_use]
    pub fn bytes_received(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Starts a receiver on a free port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    #[must_use]
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local addr").port();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let received = Arc::new(Mutex::new(Vec::new()));
        let bytes = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (rx, st, by) = (Arc::clone(&received), Arc::clone(&stop), Arc::clone(&bytes));
        std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (rx, st, by) = (Arc::clone(&rx), Arc::clone(&st), Arc::clone(&by));
                        std::thread::spawn(move || serve(stream, behaviour, &rx, &by, &st));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            port,
            received,
            bytes,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT/v1/traces`.
    #[must_use]
    pub fn traces_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1/traces", self.port)
    }

    /// Everything received so far.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// All spans received so far.
    #[must_use]
    pub fn spans(&self) -> Vec<Span> {
        self.received()
            .into_iter()
            .flat_map(|r| r.request.resource_spans)
            .flat_map(|rs| rs.scope_spans)
            .flat_map(|ss| ss.spans)
            .collect()
    }

    /// Waits until at least `n` spans arrived (or `timeout` passed).
    #[must_use]
    pub fn wait_for_spans(&self, n: usize, timeout: Duration) -> Vec<Span> {
        let deadline = Instant::now() + timeout;
        loop {
            let spans = self.spans();
            if spans.len() >= n || Instant::now() > deadline {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(
    stream: TcpStream,
    behaviour: Behaviour,
    received: &Mutex<Vec<Received>>,
    counted: &AtomicU64,
    stop: &AtomicBool,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    while !stop.load(Ordering::Relaxed) {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(_) => return,
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let mut content_length = 0usize;
        let mut content_type = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => content_length = value.trim().parse().unwrap_or(0),
                    "content-type" => value.trim().clone_into(&mut content_type),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        counted.fetch_add(body.len() as u64, Ordering::Relaxed);
        // Every request is recorded, whatever the answer will be (except
        // when only counting).
        if behaviour != Behaviour::CountOnly {
            if let Ok(request) = ExportTraceServiceRequest::decode(body.as_slice()) {
                received.lock().expect("lock").push(Received {
                    path: path.clone(),
                    content_type: content_type.clone(),
                    request,
                });
            }
        }
        match behaviour {
            Behaviour::Hang => {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            Behaviour::Status(code) => {
                let _ = write!(writer, "HTTP/1.1 {code} Error\r\ncontent-length: 0\r\n\r\n");
            }
            // A collector has no other API: like a real one, it answers
            // 404 to anything but the traces path (Phoenix's annotation
            // endpoints, for one).
            Behaviour::Accept | Behaviour::CountOnly if path != "/v1/traces" => {
                let _ = write!(
                    writer,
                    "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 22\r\n\r\n{{\"detail\":\"Not Found\"}}"
                );
            }
            Behaviour::Accept | Behaviour::CountOnly => {
                let _ = write!(
                    writer,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n"
                );
            }
        }
        let _ = writer.flush();
    }
}

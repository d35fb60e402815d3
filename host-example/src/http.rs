//! Outbound HTTP for the component: a real client behind an allow-list of origins
//! (scheme + host + port) built from the configured endpoints. A refused URL is never sent.

use std::io::Read;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    NotAllowed(String),
    Transport(String),
    Timeout,
}

/// `scheme://host:port` with the default port filled in, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// Parses the origin of an absolute http(s) URL. Userinfo (`user@host`) is refused outright:
/// it is the classic way to make a URL look like one host while going to another.
pub fn origin(url: &str) -> Result<Origin, String> {
    let (scheme, rest) = url.split_once("://").ok_or("not an absolute URL")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(format!("scheme {scheme:?} is not http or https")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("URLs with user info are not allowed".into());
    }
    if authority.is_empty() {
        return Err("URL has no host".into());
    }
    let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
        // IPv6 literal: [::1]:8080
        let (h, after) = stripped.split_once(']').ok_or("bad IPv6 host")?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| "bad port")?,
            None if after.is_empty() => default_port,
            None => return Err("bad authority".into()),
        };
        (format!("[{h}]"), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().map_err(|_| "bad port")?),
            None => (authority.to_string(), default_port),
        }
    };
    Ok(Origin {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
    })
}

pub struct HttpClient {
    agent: ureq::Agent,
    allow: Vec<Origin>,
}

impl HttpClient {
    /// `endpoints` are full URLs; their origins become the allow-list (unparsable ones are skipped).
    pub fn new(endpoints: &[String], timeout: Duration) -> HttpClient {
        let mut allow = Vec::new();
        for e in endpoints {
            if let Ok(o) = origin(e) {
                if !allow.contains(&o) {
                    allow.push(o);
                }
            }
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0) // a redirect could leave the allow-list
            // A proxy from the environment would decide where requests really go; the
            // allow-list is about the endpoints themselves, so connect directly.
            .proxy(None)
            .build()
            .into();
        HttpClient { agent, allow }
    }

    pub fn allow_list(&self) -> &[Origin] {
        &self.allow
    }

    pub fn check(&self, url: &str) -> Result<(), HttpError> {
        let o = origin(url).map_err(|e| HttpError::NotAllowed(format!("{url}: {e}")))?;
        if self.allow.contains(&o) {
            Ok(())
        } else {
            Err(HttpError::NotAllowed(format!(
                "{o} is not on the host's allow-list"
            )))
        }
    }

    pub fn send(&self, req: &Request) -> Result<Response, HttpError> {
        self.check(&req.url)?;
        let result = match req.method {
            Method::Get => {
                let mut b = self.agent.get(&req.url);
                for (k, v) in &req.headers {
                    b = b.header(k.as_str(), v.as_str());
                }
                b.call()
            }
            Method::Post => {
                let mut b = self.agent.post(&req.url);
                for (k, v) in &req.headers {
                    b = b.header(k.as_str(), v.as_str());
                }
                match &req.body {
                    Some(body) => b.send(body.as_str()),
                    None => b.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(map_error)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let mut body = String::new();
        resp.body_mut()
            .as_reader()
            .read_to_string(&mut body)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    HttpError::Timeout
                } else {
                    HttpError::Transport(format!("reading body: {e}"))
                }
            })?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn map_error(e: ureq::Error) -> HttpError {
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => HttpError::Timeout,
        other => HttpError::Transport(other.to_string()),
    }
}

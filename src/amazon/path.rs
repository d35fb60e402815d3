//! The JSON path (`payload.Orders[2].PurchaseDate`) at the byte offset where the reader failed.
//!
//! A wrapping deserializer (serde_path_to_error) would track the path as it parses, but it
//! doubles every `Deserialize` instantiation and cost the component ~130 KB; rescanning the text
//! up to the error only runs when there is an error.

use crate::prelude::*;

use super::quirks::slice;

enum Frame {
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    Array(usize),
}

/// The path of the value being read at byte offset `end`; `""` for the document itself.
pub fn path_at(json: &str, end: usize) -> String {
    let end = end.min(json.len());
    let bytes = json.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    if *expecting_key {
                        *key = Some(slice(json, start..i.min(json.len())).to_owned());
                        *expecting_key = false;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::read::Reader;

    fn path_of_error(json: &str) -> String {
        let fail = Reader::document(json, |r| r.skip()).unwrap_err();
        path_at(json, fail.at)
    }

    #[test]
    fn paths_name_nested_fields_and_indexes() {
        let json = r#"{"payload": {"Orders": [{"A": 1}, {"PurchaseDate": "x"!}]}}"#;
        assert_eq!(path_of_error(json), "payload.Orders[1].PurchaseDate");
        assert_eq!(path_of_error(r#"[{"Q": 1}, {"Q": !}]"#), "[1].Q");
        assert_eq!(path_of_error(r#"{"a\"b": !}"#), r#"a\"b"#);
    }
}

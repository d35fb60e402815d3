//! `host-example sandbox --control`: the loopback SP-API sandbox driven from stdin, one JSON
//! command per line and one JSON answer per stdout line (the first line is
//! `{"base_url": …, "lwa_url": …}`). The commands are the calls `app::Sim` makes to its sandbox
//! during `replay`, so another host replays a scenario against the very same simulator.

use std::io::{BufRead, Write};

use anyhow::Result;
use serde_json::{json, Value};

use host_example::sandbox::Sandbox;

pub fn run(port: u16) -> Result<()> {
    let sandbox = Sandbox::start(port)?;
    let mut out = std::io::stdout().lock();
    let hello = json!({"base_url": sandbox.base_url(), "lwa_url": sandbox.lwa_url()});
    writeln!(out, "{hello}")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Value>(&line) {
            Ok(command) => match apply(&sandbox, &command) {
                Ok(v) => json!({ "ok": v }),
                Err(e) => json!({ "error": e }),
            },
            Err(e) => json!({ "error": e.to_string() }),
        };
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    Ok(())
}

fn text<'a>(command: &'a Value, key: &str) -> Result<&'a str, String> {
    command
        .get(key)
        .and_then(Value::as_str)
        .ok_or(format!("{key} missing"))
}

fn apply(sandbox: &Sandbox, command: &Value) -> Result<Value, String> {
    let count = |key: &str| command.get(key).and_then(Value::as_u64).unwrap_or(0) as u32;
    let op = command.get("op").and_then(Value::as_str);
    match text(command, "cmd")? {
        "add_seller" => {
            let c = sandbox.add_seller(text(command, "seller")?);
            Ok(
                json!({"client_id": c.client_id, "client_secret": c.client_secret,
                      "refresh_token": c.refresh_token}),
            )
        }
        "upsert_order" => {
            let items = command
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let order = command.get("order").cloned().unwrap_or(Value::Null);
            sandbox
                .upsert_order(text(command, "seller")?, order, items)
                .map_err(|e| format!("{e:#}"))?;
            Ok(Value::Null)
        }
        "set_now" => {
            sandbox.set_now(command.get("ms").and_then(Value::as_i64));
            Ok(Value::Null)
        }
        "throttle" => {
            sandbox.throttle(count("count"), op, count("after"));
            Ok(Value::Null)
        }
        "fail" => {
            sandbox.fail(count("count"), op, count("after"));
            Ok(Value::Null)
        }
        "confirmations" => serde_json::to_value(sandbox.confirmations()).map_err(|e| e.to_string()),
        "log" => Ok(json!(sandbox.request_log())),
        other => Err(format!("unknown cmd {other:?}")),
    }
}

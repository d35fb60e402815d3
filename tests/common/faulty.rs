//! A `Host` wrapper that injects faults: a call fails before reaching the host, or reaches it and
//! its reply is lost (the write happened, the engine sees an error).

use amazon_order_sync::blockers::{CatalogFacts, SkuQty};
use amazon_order_sync::host::{
    CommerceError, Host, HttpError, HttpRequest, HttpResponse, OrderRef, StorageError, StorageOp,
};
use amazon_order_sync::memory::MemoryHost;
use amazon_order_sync::order_builder::OrderDraft;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The call never reaches the host.
    Fail,
    /// The host does the work; the reply is lost.
    LoseReply,
}

/// Decides the fault of each call from its running index and operation name.
pub type Policy = Box<dyn FnMut(u64, &'static str) -> Fault>;

pub struct FaultyHost {
    pub inner: MemoryHost,
    pub policy: Policy,
    pub calls: u64,
    pub injected: u64,
    /// Every key a `storage_apply` call asked to put, in order.
    pub puts: Vec<String>,
}

impl FaultyHost {
    pub fn new(inner: MemoryHost) -> Self {
        FaultyHost {
            inner,
            policy: Box::new(|_, _| Fault::None),
            calls: 0,
            injected: 0,
            puts: Vec::new(),
        }
    }

    fn fault(&mut self, op: &'static str) -> Fault {
        self.calls += 1;
        let fault = (self.policy)(self.calls, op);
        if fault != Fault::None {
            self.injected += 1;
        }
        fault
    }
}

/// Seeded xorshift: reproducible "random" faults without a dependency.
pub fn seeded(seed: u64, percent: u64) -> Policy {
    let mut state = seed.max(1);
    Box::new(move |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        match state % 100 {
            n if n < percent / 2 => Fault::Fail,
            n if n < percent => Fault::LoseReply,
            _ => Fault::None,
        }
    })
}

macro_rules! faulty {
    ($self:ident, $op:literal, $call:expr, $err:expr) => {
        match $self.fault($op) {
            Fault::None => $call,
            Fault::Fail => Err($err),
            Fault::LoseReply => {
                let _ = $call;
                Err($err)
            }
        }
    };
}

fn storage_down() -> StorageError {
    StorageError::Unavailable("injected fault".into())
}

fn commerce_down() -> CommerceError {
    CommerceError::Unavailable("injected fault".into())
}

impl Host for FaultyHost {
    fn http_send(&mut self, r: HttpRequest<'_>) -> Result<HttpResponse, HttpError> {
        faulty!(
            self,
            "http_send",
            self.inner.http_send(r),
            HttpError::Transport("injected fault".into())
        )
    }
    fn storage_get(&mut self, k: &str) -> Result<Option<String>, StorageError> {
        faulty!(
            self,
            "storage_get",
            self.inner.storage_get(k),
            storage_down()
        )
    }
    fn storage_apply(&mut self, ops: Vec<StorageOp<'_>>) -> Result<(), StorageError> {
        self.puts.extend(ops.iter().filter_map(|op| match op {
            StorageOp::Put(key, _) | StorageOp::PutParts(key, _) => Some(key.clone()),
            StorageOp::Delete(_) => None,
        }));
        faulty!(
            self,
            "storage_apply",
            self.inner.storage_apply(ops),
            storage_down()
        )
    }
    fn storage_list(
        &mut self,
        p: &str,
        a: Option<&str>,
        l: u32,
    ) -> Result<Vec<(String, String)>, StorageError> {
        faulty!(
            self,
            "storage_list",
            self.inner.storage_list(p, a, l),
            storage_down()
        )
    }
    fn storage_cas(
        &mut self,
        k: &str,
        e: Option<&str>,
        n: Option<&str>,
    ) -> Result<bool, StorageError> {
        faulty!(
            self,
            "storage_cas",
            self.inner.storage_cas(k, e, n),
            storage_down()
        )
    }
    fn settings(&mut self, s: &str) -> Vec<(String, String)> {
        self.inner.settings(s)
    }
    fn find_product_into(
        &mut self,
        s: &str,
        k: &str,
        facts: &mut CatalogFacts,
    ) -> Result<(), CommerceError> {
        faulty!(
            self,
            "find_product",
            self.inner.find_product_into(s, k, facts),
            commerce_down()
        )
    }
    fn create_order(&mut self, d: &OrderDraft<'_>) -> Result<OrderRef, CommerceError> {
        faulty!(
            self,
            "create_order",
            self.inner.create_order(d),
            commerce_down()
        )
    }
    fn complete_order(&mut self, s: &str, i: &str) -> Result<(), CommerceError> {
        faulty!(
            self,
            "complete_order",
            self.inner.complete_order(s, i),
            commerce_down()
        )
    }
    fn cancel_order(&mut self, s: &str, i: &str) -> Result<(), CommerceError> {
        faulty!(
            self,
            "cancel_order",
            self.inner.cancel_order(s, i),
            commerce_down()
        )
    }
    fn reserve(&mut self, s: &str, i: &str, q: &[SkuQty]) -> Result<(), CommerceError> {
        faulty!(
            self,
            "reserve",
            self.inner.reserve(s, i, q),
            commerce_down()
        )
    }
    fn release(&mut self, s: &str, i: &str) -> Result<(), CommerceError> {
        faulty!(self, "release", self.inner.release(s, i), commerce_down())
    }
    fn set_admin_message(&mut self, m: Option<&str>) -> Result<(), CommerceError> {
        faulty!(
            self,
            "set_admin_message",
            self.inner.set_admin_message(m),
            commerce_down()
        )
    }
}

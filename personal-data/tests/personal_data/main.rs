//! The personal-data crate's tests, one binary: sealing fields, master keys, the key store on a
//! database of its own per test, and who may touch the keys.

mod cipher;
// Its helpers run only inside tests; clippy sees them as outside one.
#[allow(clippy::unwrap_used)]
mod codec;
mod key_store;
mod master;
mod roles;

use event_store::testing::TestDatabase;
use personal_data::{MasterKey, MasterKeys};

/// A migrated database of its own, with the service roles' grants.
async fn database(label: &str) -> TestDatabase {
    TestDatabase::create(&format!("pd_{label}"), 4)
        .await
        .expect("a test database")
}

/// A master key with fixed bytes, so two `MasterKeys` can share it (keys are not `Clone`).
fn master(id: &str, byte: u8) -> MasterKey {
    MasterKey::new(id, [byte; 32]).expect("a valid id")
}

fn masters(current: MasterKey, previous: Vec<MasterKey>) -> MasterKeys {
    MasterKeys::new(current, previous).expect("distinct ids")
}

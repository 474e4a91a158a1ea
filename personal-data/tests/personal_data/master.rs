//! Master keys: wrapping data keys, binding them to their subject, rotation, loading.

use personal_data::{DataKey, MasterKey, MasterKeys, PersonalDataError, WrappedKey};
use uuid::Uuid;

use crate::{master, masters};

#[test]
fn a_wrapped_key_unwraps_for_its_subject_only() {
    let keys = masters(master("m1", 1), vec![]);
    let subject = Uuid::now_v7();
    let key = DataKey::generate();
    let wrapped = keys.wrap(subject, &key).unwrap();
    assert_eq!(wrapped.master_key_id, "m1");
    assert_eq!(keys.unwrap(subject, &wrapped).unwrap(), key);
    // Swapped onto another subject's row, it does not unwrap.
    assert!(matches!(
        keys.unwrap(Uuid::now_v7(), &wrapped),
        Err(PersonalDataError::Unwrap { .. })
    ));
    // Nor under another master key of the same bytes but another id.
    let relabelled = masters(master("m2", 1), vec![]);
    let moved = WrappedKey {
        master_key_id: "m2".into(),
        ..wrapped.clone()
    };
    assert!(matches!(
        relabelled.unwrap(subject, &moved),
        Err(PersonalDataError::Unwrap { .. })
    ));
    // Nor under another key of the same id.
    assert!(matches!(
        masters(master("m1", 2), vec![]).unwrap(subject, &wrapped),
        Err(PersonalDataError::Unwrap { .. })
    ));
    // Nor changed, nor cut short.
    let mut changed = wrapped.clone();
    changed.bytes[30] ^= 1;
    assert!(keys.unwrap(subject, &changed).is_err());
    changed.bytes.truncate(10);
    assert!(keys.unwrap(subject, &changed).is_err());
}

#[test]
fn after_rotation_old_keys_unwrap_with_the_old_master_kept_as_previous() {
    let subject = Uuid::now_v7();
    let key = DataKey::generate();
    let wrapped = masters(master("2026-01", 1), vec![])
        .wrap(subject, &key)
        .unwrap();
    let rotated = masters(master("2026-12", 2), vec![master("2026-01", 1)]);
    assert_eq!(rotated.current_id(), "2026-12");
    assert_eq!(rotated.unwrap(subject, &wrapped).unwrap(), key);
    assert_eq!(
        rotated.wrap(subject, &key).unwrap().master_key_id,
        "2026-12"
    );
    // Without the old master, the key is out of reach: the error names the missing id.
    let only_new = masters(master("2026-12", 2), vec![]);
    assert!(matches!(
        only_new.unwrap(subject, &wrapped),
        Err(PersonalDataError::UnknownMasterKey(id)) if id == "2026-01"
    ));
}

#[test]
fn master_keys_are_read_from_lines_current_first() {
    let current = MasterKey::generate("k2").unwrap();
    let previous = MasterKey::generate("k1").unwrap();
    let text = format!(
        "# the current key first\n{}\n\n  {}  \n",
        current.to_line(),
        previous.to_line()
    );
    let keys = MasterKeys::from_lines(&text).unwrap();
    assert_eq!(keys.current_id(), "k2");
    let subject = Uuid::now_v7();
    let key = DataKey::generate();
    let under_previous = masters(previous, vec![]).wrap(subject, &key).unwrap();
    assert_eq!(keys.unwrap(subject, &under_previous).unwrap(), key);
}

#[test]
fn bad_master_key_lines_are_refused_without_showing_the_key() {
    let secret = MasterKey::new("k1", [7; 32]).unwrap().to_line();
    let encoded = secret.split_once(':').unwrap().1.to_owned();
    let short = format!("k1:{}", &encoded[..20]);
    let cases = [
        String::new(),
        "# only a comment".into(),
        encoded.clone(),
        format!("k1:{encoded}!"),
        short,
        format!(":{encoded}"),
        format!("bad id:{encoded}"),
        format!("{}:{encoded}", "x".repeat(65)),
        format!("k1:{encoded}\nk1:{encoded}"),
    ];
    for case in cases {
        let error = MasterKeys::from_lines(&case).unwrap_err();
        assert!(
            matches!(error, PersonalDataError::MasterKeys(_)),
            "{case:?}: {error:?}"
        );
        assert!(!error.to_string().contains(&encoded[..20]), "{error}");
    }
}

#[cfg(unix)]
#[test]
fn a_master_keys_file_open_to_others_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let path = std::env::temp_dir().join(format!("motorlog-master-{}", Uuid::now_v7()));
    let current = MasterKey::generate("file-key").unwrap();
    std::fs::write(&path, format!("{}\n", current.to_line())).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = MasterKeys::from_file(&path).unwrap_err().to_string();
    assert!(refused.contains("chmod 600"), "{refused}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        MasterKeys::from_file(&path).unwrap().current_id(),
        "file-key"
    );
    std::fs::remove_file(&path).unwrap();
    assert!(MasterKeys::from_file(&path).is_err());
}

#[test]
fn a_wrapped_secret_unwraps_under_its_label_only() {
    let keys = masters(master("m1", 1), vec![]);
    let secret = b"-----a private signing key, any bytes-----".to_vec();
    let wrapped = keys.wrap_secret("auth/signing-key/k1", &secret).unwrap();
    assert_eq!(wrapped.master_key_id, "m1");
    assert!(
        !wrapped
            .bytes
            .windows(8)
            .any(|w| secret.windows(8).any(|s| s == w)),
        "the secret is not in the wrapped bytes in the clear"
    );
    assert_eq!(
        *keys.unwrap_secret("auth/signing-key/k1", &wrapped).unwrap(),
        secret
    );
    // Moved to another label's row, it does not unwrap, and the error names no byte of it.
    let moved = keys
        .unwrap_secret("auth/signing-key/k2", &wrapped)
        .unwrap_err();
    assert!(
        matches!(moved, PersonalDataError::MasterKeys(_)),
        "{moved:?}"
    );
    assert!(moved.to_string().contains("auth/signing-key/k2"), "{moved}");
    // Nor under another key of the same id, nor changed, nor cut short.
    assert!(masters(master("m1", 2), vec![])
        .unwrap_secret("auth/signing-key/k1", &wrapped)
        .is_err());
    let mut changed = wrapped.clone();
    changed.bytes[30] ^= 1;
    assert!(keys.unwrap_secret("auth/signing-key/k1", &changed).is_err());
    changed.bytes.truncate(10);
    assert!(keys.unwrap_secret("auth/signing-key/k1", &changed).is_err());
}

#[test]
fn a_wrapped_secret_and_a_wrapped_data_key_never_pass_for_each_other() {
    let keys = masters(master("m1", 1), vec![]);
    let subject = Uuid::nil();
    let data_key = keys.wrap(subject, &DataKey::generate()).unwrap();
    assert!(keys.unwrap_secret("", &data_key).is_err());
    let secret = keys.wrap_secret("", &[7; 32]).unwrap();
    assert!(keys.unwrap(subject, &secret).is_err());
}

#[test]
fn after_rotation_a_secret_unwraps_under_the_previous_master_key_and_rewraps_under_the_new() {
    let old = masters(master("2026-01", 1), vec![]);
    let wrapped = old.wrap_secret("auth/signing-key/k1", b"secret").unwrap();
    let rotated = masters(master("2026-12", 2), vec![master("2026-01", 1)]);
    let secret = rotated
        .unwrap_secret("auth/signing-key/k1", &wrapped)
        .unwrap();
    assert_eq!(secret.as_slice(), b"secret");
    let rewrapped = rotated.wrap_secret("auth/signing-key/k1", &secret).unwrap();
    assert_eq!(rewrapped.master_key_id, "2026-12");
    // Once the old master key is gone, only the re-wrapped copy unwraps.
    let retired = masters(master("2026-12", 2), vec![]);
    assert!(matches!(
        retired.unwrap_secret("auth/signing-key/k1", &wrapped),
        Err(PersonalDataError::UnknownMasterKey(id)) if id == "2026-01"
    ));
    assert_eq!(
        retired
            .unwrap_secret("auth/signing-key/k1", &rewrapped)
            .unwrap()
            .as_slice(),
        b"secret"
    );
}

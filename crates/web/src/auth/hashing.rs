//! Password hashes: argon2id by default, or, where a 密码应用 (GB/T 39786-2021)
//! assessment asks for 国密 algorithms, PBKDF2 (RFC 8018) with HMAC-SM3 (SM3: GB/T
//! 32905-2016), salted and iterated. Which one new hashes use is the deployment's
//! choice (`duban --password-hash sm3`, or `DUBAN_PASSWORD_HASH=sm3`), set once per
//! process ([`set_password_hashing`]); every stored hash names its algorithm, so both
//! kinds verify whichever is chosen, and a password keeps its hash until it is next
//! set (changed by its user, or reset by an administrator).
//!
//! The SM3 hash is a PHC string: `$pbkdf2-sm3$i=ITERATIONS$SALT$HASH`, salt (16
//! random bytes) and hash (32 bytes) in PHC's B64 (standard alphabet, no padding).

use std::sync::RwLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64ct::{Base64Unpadded, Encoding};
use rand::RngExt;

use super::PasswordError;

/// Which algorithm new password hashes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordHashing {
    /// argon2id (RFC 9106) with the crate's default parameters (19 MiB, t=2, p=1).
    #[default]
    Argon2id,
    /// PBKDF2-HMAC-SM3 with [`SM3_ITERATIONS`] iterations.
    Sm3,
}

impl PasswordHashing {
    pub fn code(self) -> &'static str {
        match self {
            PasswordHashing::Argon2id => "argon2id",
            PasswordHashing::Sm3 => "sm3",
        }
    }

    pub fn from_code(code: &str) -> Option<PasswordHashing> {
        match code.trim() {
            "argon2id" | "argon2" => Some(PasswordHashing::Argon2id),
            "sm3" | "pbkdf2-sm3" => Some(PasswordHashing::Sm3),
            _ => None,
        }
    }

    /// The algorithm a stored hash was made with, if this version knows it.
    pub fn of_hash(hash: &str) -> Option<PasswordHashing> {
        if hash.starts_with(SM3_PREFIX) {
            Some(PasswordHashing::Sm3)
        } else if hash.starts_with("$argon2id$") {
            Some(PasswordHashing::Argon2id)
        } else {
            None
        }
    }
}

static CHOSEN: RwLock<PasswordHashing> = RwLock::new(PasswordHashing::Argon2id);

/// Makes new password hashes in this process use `hashing`.
pub fn set_password_hashing(hashing: PasswordHashing) {
    *CHOSEN
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = hashing;
}

/// The algorithm new password hashes use in this process.
pub fn password_hashing() -> PasswordHashing {
    *CHOSEN
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// PBKDF2 iterations for a new SM3 hash. NIST SP 800-132 asks for as many as the
/// login can bear; SM3 is slower than SHA-256 in software, and 200,000 iterations cost
/// about 0.18 s on one core of the shared development machine (OpenSSL's PBKDF2-HMAC-
/// SM3 for reference; argon2id's default costs about 0.02 s there). Stored in each
/// hash, so it can be raised later without invalidating existing hashes.
pub const SM3_ITERATIONS: u32 = 200_000;

/// Iterations a stored SM3 hash may ask for at most: more is refused rather than
/// computed (a hash written behind duban's back must not tie up a core).
const SM3_MAX_ITERATIONS: u32 = 10_000_000;

const SM3_PREFIX: &str = "$pbkdf2-sm3$";
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;

/// A hash of `password` made with `hashing`, with a fresh random salt.
pub fn hash_with(hashing: PasswordHashing, password: &str) -> Result<String, PasswordError> {
    match hashing {
        PasswordHashing::Argon2id => Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError(e.to_string())),
        PasswordHashing::Sm3 => {
            let salt: [u8; SALT_BYTES] = rand::rng().random();
            Ok(sm3_hash_string(password, &salt, SM3_ITERATIONS))
        }
    }
}

fn sm3_derive(password: &str, salt: &[u8], iterations: u32) -> [u8; HASH_BYTES] {
    let mut out = [0u8; HASH_BYTES];
    pbkdf2::pbkdf2_hmac::<sm3::Sm3>(password.as_bytes(), salt, iterations, &mut out);
    out
}

fn sm3_hash_string(password: &str, salt: &[u8], iterations: u32) -> String {
    let hash = sm3_derive(password, salt, iterations);
    format!(
        "{SM3_PREFIX}i={iterations}${}${}",
        Base64Unpadded::encode_string(salt),
        Base64Unpadded::encode_string(&hash)
    )
}

/// Whether `password` matches `stored`, whichever algorithm made it. An unknown or
/// malformed hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHashing::of_hash(stored) {
        Some(PasswordHashing::Sm3) => verify_sm3(password, stored),
        Some(PasswordHashing::Argon2id) => Argon2::default()
            .verify_password(password.as_bytes(), stored)
            .is_ok(),
        None => false,
    }
}

fn verify_sm3(password: &str, stored: &str) -> bool {
    let Some(rest) = stored.strip_prefix(SM3_PREFIX) else {
        return false;
    };
    let mut parts = rest.split('$');
    let (Some(params), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(iterations) = params
        .strip_prefix("i=")
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| (1..=SM3_MAX_ITERATIONS).contains(n))
    else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (
        Base64Unpadded::decode_vec(salt),
        Base64Unpadded::decode_vec(hash),
    ) else {
        return false;
    };
    if salt.is_empty() || expected.len() != HASH_BYTES {
        return false;
    }
    let actual = sm3_derive(password, &salt, iterations);
    // Every byte compared whatever differs first.
    actual
        .iter()
        .zip(&expected)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// PBKDF2-HMAC-SM3 against values computed independently (Python's
    /// `hashlib.pbkdf2_hmac('sm3', …)` on OpenSSL 3, the GB/T 32905 SM3).
    #[test]
    fn pbkdf2_hmac_sm3_matches_an_independent_implementation() {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(&sm3_derive("password", b"salt", 1)), KNOWN_1);
        assert_eq!(
            hex(&sm3_derive("密码Abc123", b"duban-salt-16byt", 1000)),
            KNOWN_1000
        );
    }

    const KNOWN_1: &str = "4612f922a1fdcefaf4312fc6f8f3322b489cbf24f2ea361b44c2bd8fa2c6dcb0";
    const KNOWN_1000: &str = "d13735ac85a13f9883ad5640129b1be9019827aee2861e93e3040a690e988d00";

    #[test]
    fn sm3_hashes_verify_and_name_their_algorithm() {
        let hash = hash_with(PasswordHashing::Sm3, "正确的密码abc123").unwrap();
        assert!(hash.starts_with("$pbkdf2-sm3$i=200000$"), "{hash}");
        assert_eq!(PasswordHashing::of_hash(&hash), Some(PasswordHashing::Sm3));
        assert!(verify("正确的密码abc123", &hash));
        assert!(!verify("正确的密码abc124", &hash));
        // Salted: the same password hashes differently each time.
        assert_ne!(
            hash,
            hash_with(PasswordHashing::Sm3, "正确的密码abc123").unwrap()
        );
    }

    #[test]
    fn both_kinds_verify_whichever_is_chosen() {
        let argon = hash_with(PasswordHashing::Argon2id, "口令Abc123").unwrap();
        let sm3 = sm3_hash_string("口令Abc123", b"0123456789abcdef", 1000);
        assert!(argon.starts_with("$argon2id$"));
        for h in [&argon, &sm3] {
            assert!(verify("口令Abc123", h), "{h}");
            assert!(!verify("口令abc123", h), "{h}");
        }
    }

    #[test]
    fn malformed_or_unknown_hashes_match_nothing() {
        let good = sm3_hash_string("pw", b"0123456789abcdef", 10);
        assert!(verify("pw", &good));
        let (head, tail) = good.split_at(good.rfind('$').unwrap());
        for bad in [
            String::new(),
            "$pbkdf2-sm3$".to_string(),
            good.replace("i=10", "i=0"),
            good.replace("i=10", "i=99999999999"),
            good.replace("i=10", "i=x"),
            format!("{head}$"),
            format!("{head}{tail}A"),
            format!("{good}$extra"),
            "$pbkdf2-sha256$i=10$c2FsdA$aGFzaA".to_string(),
            "plain text".to_string(),
        ] {
            assert!(!verify("pw", &bad), "{bad}");
        }
    }
}

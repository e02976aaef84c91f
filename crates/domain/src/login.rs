//! How many failed logins are allowed, counted under which keys.
//!
//! One count per account name alone would let anyone lock any known account out (five
//! wrong passwords from anywhere); one per address alone would let a botnet guess one
//! account's password without end. So each attempt is counted three ways, and the first
//! limit reached refuses it:
//! - the account from one address: tight, this is what stops guessing;
//! - one address, over every account name: looser, it stops one machine from spraying
//!   guesses across many accounts;
//! - the account from everywhere: the loosest, so an attacker with many addresses still
//!   guesses slowly, while the real user is locked out only by a sustained attack (and
//!   the security administrator can unlock the account at once: `duban user unlock`).
//!
//! How many failures each count allows, and for how long, is the deployment's
//! [`crate::security::LoginPolicy`].

/// What a count is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleScope {
    /// One account name from one client address.
    AccountFromAddress,
    /// One client address, whatever the account name.
    Address,
    /// One account name, from every address.
    Account,
}

impl ThrottleScope {
    pub const ALL: [ThrottleScope; 3] = [
        ThrottleScope::AccountFromAddress,
        ThrottleScope::Address,
        ThrottleScope::Account,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ThrottleScope::AccountFromAddress => "account_address",
            ThrottleScope::Address => "address",
            ThrottleScope::Account => "account",
        }
    }
}

/// One count an attempt adds to: the scope, and the account name and address it is for
/// (empty where the scope does not use it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    pub scope: ThrottleScope,
    pub account: String,
    pub address: String,
}

/// The account name as counted: what was typed, trimmed and lower-cased, so `Admin `
/// and `admin` share one count (it need not be an account).
pub fn throttle_account(username: &str) -> String {
    username.trim().to_lowercase()
}

/// The three counts a login attempt by `username` from `address` adds to.
pub fn throttle_keys(username: &str, address: &str) -> [ThrottleKey; 3] {
    let account = throttle_account(username);
    ThrottleScope::ALL.map(|scope| ThrottleKey {
        scope,
        account: match scope {
            ThrottleScope::Address => String::new(),
            _ => account.clone(),
        },
        address: match scope {
            ThrottleScope::Account => String::new(),
            _ => address.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_counts_for_the_pair_the_address_and_the_account() {
        let keys = throttle_keys(" Admin ", "10.0.0.7");
        assert_eq!(keys[0].account, "admin");
        assert_eq!(keys[0].address, "10.0.0.7");
        assert_eq!(keys[1].account, "", "the address counts over every account");
        assert_eq!(keys[2].address, "", "the account counts from everywhere");
    }
}

//! Ownership-ticket signatures: RSASSA-PKCS1-v1_5 with SHA-1 over the ownership ticket bytes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use num_bigint::BigUint;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::Signer;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha1::{Digest, Sha1};

use crate::decode::DecodedTicket;
use crate::model::SIGNATURE_LEN;
use crate::montgomery::{self, Modulus};

/// Name reported when Valve's key verified a ticket.
pub const VALVE: &str = "valve";
/// Name reported when the simulation key verified a ticket.
pub const SIMULATION: &str = "simulation";

const VALVE_PUBLIC_KEY_PEM: &str = include_str!("../keys/valve-public-key.pem");
const SIMULATION_PUBLIC_KEY_PEM: &str = include_str!("../keys/simulation-public-key.pem");
/// Not a secret: see keys/README.md. Anyone can mint simulated tickets; only trust them in simulation.
const SIMULATION_PRIVATE_KEY_PEM: &str = include_str!("../keys/simulation-private-key.pem");

/// DER prefix of a SHA-1 `DigestInfo` (RFC 8017, section 9.2, note 1).
const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// A public key a ticket's signature may verify against, with the name to report.
///
/// Verification is RSASSA-PKCS1-v1_5 done directly: with Steam's small public exponent (17) that is a
/// handful of Montgomery products on fixed-size limbs, far faster than the generic `rsa` path, which
/// matters to a login server that checks every ticket before spending Web API quota.
#[derive(Clone)]
pub struct TrustedKey {
    name: Arc<str>,
    exponent: Arc<BigUint>,
    /// Montgomery constants; `None` for a modulus no RSA key has (even), which then verifies nothing.
    montgomery: Option<Arc<Modulus>>,
    /// Modulus length in bytes.
    len: usize,
}

impl std::fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedKey")
            .field("name", &self.name)
            .finish()
    }
}

impl TrustedKey {
    /// Wraps an RSA public key under a name that [`KeyRing::verify`] reports.
    pub fn new(name: &str, key: RsaPublicKey) -> Self {
        let modulus = BigUint::from_bytes_be(&key.n().to_bytes_be());
        TrustedKey {
            name: name.into(),
            montgomery: Modulus::new(&modulus).map(Arc::new),
            exponent: Arc::new(BigUint::from_bytes_be(&key.e().to_bytes_be())),
            len: key.size(),
        }
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(name: &str, pem: &str) -> Result<Self, rsa::pkcs8::spki::Error> {
        Ok(Self::new(name, RsaPublicKey::from_public_key_pem(pem)?))
    }

    /// Valve's key, which signs every real Steam ticket.
    pub fn valve() -> Self {
        static KEY: OnceLock<TrustedKey> = OnceLock::new();
        KEY.get_or_init(|| {
            Self::from_pem(VALVE, VALVE_PUBLIC_KEY_PEM).expect("embedded Valve key is valid PEM")
        })
        .clone()
    }

    /// The committed simulation key (not secret), which signs simulated tickets.
    pub fn simulation() -> Self {
        static KEY: OnceLock<TrustedKey> = OnceLock::new();
        KEY.get_or_init(|| {
            Self::from_pem(SIMULATION, SIMULATION_PUBLIC_KEY_PEM)
                .expect("embedded simulation key is valid PEM")
        })
        .clone()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// RSASSA-PKCS1-v1_5 verification with SHA-1: `signature^e mod n` must equal `expected`, the
    /// encoded message `00 01 FF…FF 00 || DigestInfo(SHA-1(message))`, compared in full.
    fn verifies(&self, expected: &[u8; SIGNATURE_LEN], signature: &[u8; SIGNATURE_LEN]) -> bool {
        if self.len != SIGNATURE_LEN {
            return false;
        }
        self.montgomery
            .as_ref()
            .and_then(|modulus| modulus.pow(signature, &self.exponent))
            .is_some_and(|m| &m == expected)
    }

    /// Same modulus and exponent.
    fn same_key(&self, other: &TrustedKey) -> bool {
        self.len == other.len
            && self.exponent == other.exponent
            && self.montgomery.as_deref() == other.montgomery.as_deref()
    }
}

/// EMSA-PKCS1-v1_5 for SHA-1 (RFC 8017, section 9.2) at the signature's length.
fn encoded_message(digest: &[u8]) -> [u8; SIGNATURE_LEN] {
    let mut em = [0xff; SIGNATURE_LEN];
    let tail = SHA1_DIGEST_INFO.len() + digest.len();
    em[0] = 0x00;
    em[1] = 0x01;
    em[SIGNATURE_LEN - tail - 1] = 0x00;
    em[SIGNATURE_LEN - tail..SIGNATURE_LEN - digest.len()].copy_from_slice(&SHA1_DIGEST_INFO);
    em[SIGNATURE_LEN - digest.len()..].copy_from_slice(digest);
    em
}

const _: () = assert!(montgomery::BYTES == SIGNATURE_LEN);

/// The keys a verifier trusts.
///
/// A failed check costs as much as a good one, and a verifier's tickets nearly all come from one
/// signer (Valve in production, the simulation key in a simulated run), so the key that verified the
/// last ticket is tried first. Clones share that memory.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: Vec<TrustedKey>,
    /// Index of the key that verified the last ticket.
    last_signer: Arc<AtomicUsize>,
}

impl Default for KeyRing {
    /// Valve's key only: what a production server should trust.
    fn default() -> Self {
        Self::empty().trusting(TrustedKey::valve())
    }
}

impl KeyRing {
    /// Trusts no key at all.
    pub fn empty() -> Self {
        KeyRing {
            keys: Vec::new(),
            last_signer: Arc::default(),
        }
    }

    /// Valve's key and the simulation key: for the simulated backend and `--simulation` servers.
    pub fn with_simulation() -> Self {
        Self::default().trusting(TrustedKey::simulation())
    }

    /// Adds a key. A key already in the ring keeps its first name. A ring with another set of keys
    /// no longer shares its memory of the last signer with the clones of this one.
    pub fn trusting(mut self, key: TrustedKey) -> Self {
        if !self.keys.iter().any(|k| k.same_key(&key)) {
            self.keys.push(key);
            self.last_signer = Arc::default();
        }
        self
    }

    /// The name of the key whose signature matches, or `None` if none does.
    pub fn verify(&self, ticket: &DecodedTicket) -> Option<&str> {
        let expected = encoded_message(&Sha1::digest(&ticket.signed_bytes));
        let first = self.last_signer.load(Ordering::Relaxed);
        // Rings sharing `last_signer` hold the same keys, so `first` indexes this ring.
        let order = (first..self.keys.len()).chain(0..first);
        for i in order {
            let key = &self.keys[i];
            if key.verifies(&expected, &ticket.signature) {
                if i != first {
                    self.last_signer.store(i, Ordering::Relaxed);
                }
                return Some(key.name());
            }
        }
        None
    }
}

/// Signs ownership tickets with the simulation key.
#[derive(Clone)]
pub struct SimulationSigner {
    key: SigningKey<Sha1>,
}

impl SimulationSigner {
    /// The committed simulation key (parsed once per process).
    pub fn new() -> Self {
        static KEY: OnceLock<SigningKey<Sha1>> = OnceLock::new();
        let key = KEY.get_or_init(|| {
            let private = RsaPrivateKey::from_pkcs8_pem(SIMULATION_PRIVATE_KEY_PEM)
                .expect("embedded simulation private key is valid PEM");
            SigningKey::new(private)
        });
        SimulationSigner { key: key.clone() }
    }

    /// PKCS#1 v1.5 / SHA-1 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let signature: Box<[u8]> = self.key.sign(message).into();
        signature
            .as_ref()
            .try_into()
            .expect("a 1024-bit key makes 128-byte signatures")
    }
}

impl Default for SimulationSigner {
    fn default() -> Self {
        Self::new()
    }
}

//! `keygen`: an Ed25519 key pair for signing bundles.

use super::*;

pub(crate) fn run(args: KeygenArgs) -> Result<Exit, Failure> {
    let key = LocalKey::generate().map_err(failed)?;
    key.write(&args.private_key, &args.public_key)
        .map_err(bad_input)?;
    tracing::info!(keyid = %key.public().keyid(), "key pair written");
    output::write_text(&format!("keyid {}\n", key.public().keyid()), None).map_err(failed)?;
    Ok(Exit::Done)
}

//! `host`: the smfplay command-line player.
fn main() {}

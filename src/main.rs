//! The `dms-evidence` command line: parses arguments and runs the pipeline.

use clap::Parser;

/// Proves from the AWS account itself how AWS Database Migration Service was used.
#[derive(Debug, Parser)]
#[command(name = "dms-evidence", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}

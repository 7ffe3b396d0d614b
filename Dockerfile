# syntax=docker/dockerfile:1
# dms-evidence in a container, for AWS Batch array jobs, Kubernetes Indexed Jobs,
# ECS/Fargate tasks started by EventBridge Scheduler (docs/operations.md).
#   docker build -t dms-evidence .
#   docker run --rm dms-evidence --help
# Build stage: the Rust toolchain the crate declares (rust-version), release profile.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY policies ./policies
RUN cargo build --release --locked --bin dms-evidence \
 && strip target/release/dms-evidence

# Runtime: distroless (glibc, CA certificates, no shell, no package manager), non-root.
# The AWS SDK's TLS (rustls) needs nothing else.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/dms-evidence /usr/local/bin/dms-evidence
COPY policies/dms-evidence-readonly-policy.json policies/dms-evidence-readonly-role.cfn.yaml /usr/share/dms-evidence/
USER nonroot
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/dms-evidence"]
CMD ["--help"]

"""Development tools: the embedded broker, topic set-up, a loopback feed server and the pipeline
launcher behind `make run`, `make demo` and the integration tests. Not shipped in the image."""

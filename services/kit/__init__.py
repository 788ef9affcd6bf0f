"""What every sitrep stage shares: message models, settings, the Kafka runner, health, logging."""

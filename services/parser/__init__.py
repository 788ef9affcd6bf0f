"""parser: fetches each item's article page and extracts clean text and metadata (trafilatura)."""

"""fetcher: polls news and defence-ministry feeds and publishes each new item once to `news.items`."""

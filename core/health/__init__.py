"""Sync health, read from the store for people: `users` (how each user's Google sync is doing, with their
ordered diagnosis) and `appointment` (one appointment's sync story). Never writes, never calls Google."""

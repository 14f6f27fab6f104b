"""The organization in effect and the switch between a person's organizations."""

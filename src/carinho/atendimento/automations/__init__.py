"""Automatic messages: welcome, out of hours, queue notice, follow-up and closing."""

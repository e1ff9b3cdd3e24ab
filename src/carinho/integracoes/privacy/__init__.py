"""The hub's personal data: retention (processed events anonymised after N days) and data-subject
requests (export and erase by phone, e-mail or CPF)."""

"""The company's visual identity in e-mails (the seed's config/branding.php), from BRANDING_* settings."""

from __future__ import annotations

from dataclasses import dataclass

from carinho.config import Settings


@dataclass(frozen=True)
class Branding:
    company_name: str
    primary_color: str
    secondary_color: str
    text_color: str
    logo_url: str
    site_url: str
    signature: str
    whatsapp: str
    phone: str
    email: str
    instagram: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Branding:
        return cls(
            company_name=settings.branding_company_name,
            primary_color=settings.branding_primary_color,
            secondary_color=settings.branding_secondary_color,
            text_color=settings.branding_text_color,
            logo_url=settings.branding_logo_url,
            site_url=settings.branding_site_url,
            signature=settings.branding_signature,
            whatsapp=settings.branding_whatsapp,
            phone=settings.branding_phone,
            email=settings.branding_email,
            instagram=settings.branding_instagram,
        )

    @property
    def whatsapp_link(self) -> str:
        return f"https://wa.me/{self.whatsapp}"

    @property
    def whatsapp_display(self) -> str:
        digits = self.whatsapp
        if len(digits) == 13 and digits.startswith("55"):
            return f"({digits[2:4]}) {digits[4:9]}-{digits[9:]}"
        return digits

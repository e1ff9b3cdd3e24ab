"""Labels (etiquetas) with a colour."""

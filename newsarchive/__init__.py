"""newsarchive: scheduled scraping and archiving of Chinese sci-tech policy news."""
__version__ = "0.1.0"

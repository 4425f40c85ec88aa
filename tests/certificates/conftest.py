"""Certificates need DejaVu Sans (Debian's fonts-dejavu-core, installed by scripts/test)."""
import os

import pytest

from tests.conftest import skip_or_fail


@pytest.fixture(autouse=True)
def certificate_font(app):
    """Skip (fail in CI) where the certificate font is not installed."""
    if not os.path.isfile(os.path.join(app.config["CERTIFICATE_FONT_DIR"], "DejaVuSans.ttf")):
        skip_or_fail(f"DejaVu Sans not found in {app.config['CERTIFICATE_FONT_DIR']}; install Debian's "
                     "fonts-dejavu-core (scripts/test does when apt-get can run) or set CERTIFICATE_FONT_DIR")

"""Flask extensions, created once and bound to the app in the factory."""
from flask_compress import Compress
from flask_login import LoginManager
from flask_mailman import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from contest.database import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()  # MAIL_* settings: an SMTP server, or the console in the demo
# HTML pages, JSON and static files compressed with brotli, zstd or gzip, as the browser accepts.
compress = Compress()

login_manager.login_view = "accounts.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"

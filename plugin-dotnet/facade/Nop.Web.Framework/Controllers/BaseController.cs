using Microsoft.AspNetCore.Mvc;

namespace Nop.Web.Framework.Controllers;

// nopCommerce's base controller adds view-rendering helpers the plugin does not call.
public abstract partial class BaseController : Controller
{
}

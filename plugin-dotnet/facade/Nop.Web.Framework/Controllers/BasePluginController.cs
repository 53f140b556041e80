namespace Nop.Web.Framework.Controllers;

public abstract partial class BasePluginController : BaseController;
